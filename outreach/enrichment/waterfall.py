"""The waterfall: merge several enriched records of one business into a golden record, field by field.

Rules, in order: a field takes the candidate with the highest confidence (which already weighs the source's
reliability prior, see `fields.SOURCE_PRIORS`); a tie goes to the fresher observation; a further tie to the
lexically first (source, record id), so the result never depends on input order. A record without a value never
competes, so a later or weaker source fills the gaps of a stronger one. Every choice is returned as a Decision
(field, chosen candidate, all candidates, why) so it can be shown and audited.

Fields that describe one thing are chosen together: the phone's line type, SMS eligibility and time zone come from
the records that gave the chosen phone, the license's status and dates from those that gave the chosen number, the
city and ZIP from those that gave the chosen street (or, to fill a gap, from records that gave no street at all).
Otherwise a golden record could pair one source's phone with another's line type.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

from pydantic import BaseModel, ConfigDict

from outreach.enrichment.fields import EnrichedRecord, FieldValue
from outreach.enrichment.website import email_matches_website


@dataclass(frozen=True, slots=True)
class FieldGroup:
    """Fields chosen together: `members` follow the record(s) that gave the chosen `anchor` value."""

    anchor: str
    members: tuple[str, ...]
    fill_from_anchorless: bool
    """Whether records without any anchor value may fill a member the anchor's records lack."""


FIELD_GROUPS: Final = (
    FieldGroup("phone", ("phone_extension", "phone_valid", "phone_line_type", "sms_eligible", "time_zone"), False),
    FieldGroup("email", ("email_valid", "email_suggestion", "email_is_free_mail", "email_is_role_account"), False),
    FieldGroup("street", ("city", "state", "postal_code", "region"), True),
    FieldGroup("website", ("website_domain",), False),
    FieldGroup(
        "license_number",
        ("license_state", "license_status", "license_issued_on", "license_expires_on", "license_age_years"),
        False,
    ),
)
INDEPENDENT_FIELDS: Final = (
    "business_name",
    "contact_name",
    "business_type",
    "rating",
    "review_count",
    "referred_by_user_id",
)
DERIVED_FIELD: Final = "email_matches_website"
"""Recomputed from the chosen email and website: they may come from different sources."""


@dataclass(frozen=True, slots=True)
class Candidate:
    """One source's value for a field, as the waterfall saw it (a plain dataclass: a merge builds ~70 of them,
    from values already validated, and a pydantic model's construction was most of a merge's time)."""

    source: str
    source_record_id: str | None
    observed_at: datetime | None
    value: Any
    confidence: float


class Decision(BaseModel):
    """Why the golden record holds the value it holds for one field."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    field: str
    """An EnrichedRecord field name; `specialties[<specialty>]` for one specialty."""
    chosen: Candidate | None
    candidates: tuple[Candidate, ...]
    reason: str


class GoldenRecord(BaseModel):
    """The merged record and the decisions that built it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    record: EnrichedRecord
    decisions: tuple[Decision, ...]


def merge(records: Sequence[EnrichedRecord]) -> GoldenRecord:
    """Merge enriched records of the same business (any sources, any days) into one golden record."""
    if not records:
        raise ValueError("merge needs at least one record")
    fields: dict[str, Any] = {}
    decisions: dict[str, Decision] = {}

    for name in INDEPENDENT_FIELDS:
        fields[name], decisions[name] = _choose(name, [getattr(r, name) for r in records])
    for group in FIELD_GROUPS:
        _choose_group(group, records, fields, decisions)
    fields[DERIVED_FIELD], decisions[DERIVED_FIELD] = _derive_agreement(records, fields)
    specialties, specialty_decisions = _union_specialties(records)

    ordered = [name for name in EnrichedRecord.model_fields if name in decisions]
    provenance = sorted(
        {p for r in records for p in r.provenance}, key=lambda p: (_instant(p.fetched_at), p.source, p.source_record_id)
    )
    record = EnrichedRecord(
        provenance=tuple(provenance),
        as_of=max(r.as_of for r in records),
        specialties=specialties,
        **fields,
    )
    return GoldenRecord(record=record, decisions=(*(decisions[n] for n in ordered), *specialty_decisions))


def _choose_group(
    group: FieldGroup,
    records: Sequence[EnrichedRecord],
    fields: dict[str, Any],
    decisions: dict[str, Decision],
) -> None:
    anchor, anchor_decision = _choose(group.anchor, [getattr(r, group.anchor) for r in records])
    fields[group.anchor], decisions[group.anchor] = anchor, anchor_decision
    same = [r for r in records if getattr(r, group.anchor).value == anchor.value]
    anchorless = [r for r in records if getattr(r, group.anchor).value is None]
    label = f"the chosen {group.anchor}" if anchor.value is not None else f"no {group.anchor}"
    for name in group.members:
        chosen, decision = _choose(name, [getattr(r, name) for r in same], also=[getattr(r, name) for r in records])
        if chosen.value is None and group.fill_from_anchorless and anchor.value is not None and anchorless:
            filled, filled_decision = _choose(
                name, [getattr(r, name) for r in anchorless], also=[getattr(r, name) for r in records]
            )
            if filled.value is not None:
                reason = f"gap filled from a record with no {group.anchor}: {filled_decision.reason}"
                fields[name], decisions[name] = filled, filled_decision.model_copy(update={"reason": reason})
                continue
        fields[name] = chosen
        decisions[name] = decision.model_copy(update={"reason": f"among records with {label}: {decision.reason}"})


def _choose(
    name: str, values: list[FieldValue[Any]], also: Iterable[FieldValue[Any]] = ()
) -> tuple[FieldValue[Any], Decision]:
    """The best of `values` (not empty) by confidence, then freshness, then (source, record id).

    `also` are further candidates shown in the decision but not eligible. With no value anywhere an empty field is
    kept (the first by the same order): its reason says why its source had none.
    """
    ranked = sorted((v for v in values if v.value is not None), key=_rank)
    shown = sorted({*ranked, *(v for v in also if v.value is not None)}, key=_rank)
    # Decisions are built from already validated values: `model_construct` skips re-validating them, which was
    # most of the cost of a merge (and of the golden stage).
    if not ranked:
        empty = min(values, key=_rank)
        return empty, Decision.model_construct(field=name, chosen=None, candidates=_candidates(shown),
                                               reason="no source had a value")
    best = ranked[0]
    return best, Decision.model_construct(field=name, chosen=_candidate(best), candidates=_candidates(shown),
                                          reason=_why(ranked))


def _why(ranked: list[FieldValue[Any]]) -> str:
    best = ranked[0]
    if len(ranked) == 1:
        return f"only {best.source} had a value"
    runner_up = ranked[1]
    if best.confidence > runner_up.confidence:
        return (
            f"highest confidence: {best.confidence:g} ({best.source}) over {runner_up.confidence:g} "
            f"({runner_up.source})"
        )
    if _instant(best.observed_at) > _instant(runner_up.observed_at):
        return (
            f"tie at {best.confidence:g}; fresher: {best.source} seen {_day(best.observed_at)} over "
            f"{runner_up.source} seen {_day(runner_up.observed_at)}"
        )
    return f"tie at {best.confidence:g}, equally fresh: first by source and record id"


def _derive_agreement(records: Sequence[EnrichedRecord], fields: dict[str, Any]) -> tuple[FieldValue[bool], Decision]:
    email, domain = fields["email"], fields["website_domain"]
    shown = sorted((v for r in records if (v := r.email_matches_website).value is not None), key=_rank)
    judged = email_matches_website(email.value.rpartition("@")[2] if email.value else None, domain.value)
    confidence = judged.confidence * min(email.confidence, domain.confidence) if judged.value is not None else 0.0
    value: FieldValue[bool] = FieldValue(
        judged.value,
        round(confidence, 4),
        "derived",
        judged.method,
        judged.reason,
        observed_at=max((v.observed_at for v in (email, domain) if v.observed_at), default=None, key=_instant),
    )
    reason = f"derived from the chosen email ({email.source}) and website domain ({domain.source})"
    return value, Decision(
        field=DERIVED_FIELD,
        chosen=_candidate(value) if value.value is not None else None,
        candidates=_candidates([value, *shown] if value.value is not None else shown),
        reason=reason,
    )


def _union_specialties(records: Sequence[EnrichedRecord]) -> tuple[tuple[FieldValue[Any], ...], list[Decision]]:
    """Every specialty any record supports, each at its best evidence: sources add trades, they do not compete."""
    by_specialty: dict[str, list[FieldValue[Any]]] = {}
    for record in records:
        for found in record.specialties:
            by_specialty.setdefault(found.value, []).append(found)
    chosen: list[FieldValue[Any]] = []
    decisions = []
    for specialty in sorted(by_specialty):
        best, decision = _choose(f"specialties[{specialty}]", by_specialty[specialty])
        chosen.append(best)
        decisions.append(decision)
    chosen.sort(key=lambda found: (-found.confidence, found.value))
    return tuple(chosen), decisions


def _rank(value: FieldValue[Any]) -> tuple[float, float, str, str]:
    return (-value.confidence, -_instant(value.observed_at), value.source, value.source_record_id or "")


def _instant(moment: datetime | None) -> float:
    """Comparable seconds for aware and naive datetimes (naive ones are taken as UTC); None is oldest."""
    if moment is None:
        return float("-inf")
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()


def _day(moment: datetime | None) -> str:
    return moment.isoformat(timespec="minutes") if moment else "at an unknown time"


def _candidate(value: FieldValue[Any]) -> Candidate:
    return Candidate(
        source=value.source,
        source_record_id=value.source_record_id,
        observed_at=value.observed_at,
        value=value.value,
        confidence=value.confidence,
    )


def _candidates(values: Iterable[FieldValue[Any]]) -> tuple[Candidate, ...]:
    return tuple(_candidate(v) for v in values)
