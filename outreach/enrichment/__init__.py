"""AI Enrichment Engine: field-level normalization of discovery records and the waterfall into golden records.

`enrich(record, as_of)` turns one CandidateRecord into an EnrichedRecord whose every field is a FieldValue (value,
confidence, source, method, reason); `merge(records)` combines enriched records of one business into a
GoldenRecord with the decisions that chose each field.
"""

from outreach.enrichment.enrich import enrich
from outreach.enrichment.fields import SOURCE_PRIORS, Enriched, EnrichedRecord, FieldValue, Provenance
from outreach.enrichment.waterfall import Decision, GoldenRecord, merge

__all__ = [
    "SOURCE_PRIORS",
    "Decision",
    "Enriched",
    "EnrichedRecord",
    "FieldValue",
    "GoldenRecord",
    "Provenance",
    "enrich",
    "merge",
]
