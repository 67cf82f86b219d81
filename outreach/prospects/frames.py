"""The frames the quality gates validate, one row per record, keyed by `record_key` (`source:record id`).

They hold only what the rules look at; contact values (the enriched phone) stay in memory and are never
reported, the runner names failing rows by key only.
"""

from __future__ import annotations

import pandas as pd

from outreach.discovery.records import CandidateRecord
from outreach.enrichment import EnrichedRecord
from outreach.enrichment.fields import FieldValue
from outreach.prospects.source_records import record_key


def candidates_frame(records: list[CandidateRecord]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "record_key": [record_key(r.source, r.source_record_id) for r in records],
            "source": [r.source for r in records],
            "source_record_id": [r.source_record_id for r in records],
            "has_name": [bool(r.business_name or r.contact_name) for r in records],
            "has_contact_or_license": [bool(r.phone or r.email or r.license_number) for r in records],
        }
    )


def _confidences(record: EnrichedRecord) -> list[float]:
    values = [
        value.confidence
        for name in type(record).model_fields
        if isinstance(value := getattr(record, name), FieldValue) and value.value is not None
    ]
    return values + [s.confidence for s in record.specialties] or [0.0]


def enriched_frame(records: list[EnrichedRecord]) -> pd.DataFrame:
    keys = [record_key(r.provenance[0].source, r.provenance[0].source_record_id) for r in records]
    confidences = [_confidences(r) for r in records]
    return pd.DataFrame(
        {
            "record_key": keys,
            "min_confidence": [min(c) for c in confidences],
            "max_confidence": [max(c) for c in confidences],
            "phone": [r.phone.value for r in records],
            "region": [r.region.value for r in records],
            "state": [r.state.value for r in records],
            "is_reachable": [bool(r.phone_valid.value) or bool(r.email_valid.value) for r in records],
        }
    )


