"""Which candidates are enriched again: new, changed, or unchanged with a license judgement that dated."""

from datetime import UTC, date, datetime

from outreach.discovery.records import CandidateRecord
from outreach.prospects.freshness import REFRESH_DAYS, needs_enrichment
from outreach.prospects.source_records import SeenBefore

DAY = date(2026, 6, 10)


def candidate(**fields) -> CandidateRecord:
    return CandidateRecord(source="license_ca", source_record_id="123", fetched_at=datetime(2026, 6, 10, tzinfo=UTC),
                           business_name="Doe Plumbing", **fields)


def test_new_and_changed_candidates_are_enriched() -> None:
    assert needs_enrichment(candidate(), "d1", None, DAY)
    assert needs_enrichment(candidate(), "d2", SeenBefore("d1", date(2026, 6, 9)), DAY)
    assert needs_enrichment(candidate(), "d1", SeenBefore(None, date(2026, 6, 9)), DAY)  # stored before digests


def test_an_unchanged_candidate_keeps_its_enrichment() -> None:
    assert not needs_enrichment(candidate(), "d1", SeenBefore("d1", date(2026, 6, 9)), DAY)
    assert not needs_enrichment(candidate(), "d1", SeenBefore("d1", date(2025, 1, 1)), DAY)  # nothing dated


def test_an_unchanged_license_is_judged_again_when_it_expired_or_its_issue_day_came() -> None:
    before = SeenBefore("d1", date(2026, 6, 5))
    assert needs_enrichment(candidate(license_expires_on=date(2026, 6, 7)), "d1", before, DAY)
    assert not needs_enrichment(candidate(license_expires_on=date(2026, 6, 10)), "d1", before, DAY)
    assert not needs_enrichment(candidate(license_expires_on=date(2026, 6, 1)), "d1", before, DAY)  # already judged
    assert needs_enrichment(candidate(license_issued_on=date(2026, 6, 8)), "d1", before, DAY)
    assert not needs_enrichment(candidate(license_issued_on=date(2020, 6, 8)), "d1", before, DAY)


def test_license_age_is_refreshed_after_refresh_days() -> None:
    issued = candidate(license_issued_on=date(2020, 1, 1))
    days_ago = lambda n: SeenBefore("d1", date.fromordinal(DAY.toordinal() - n))  # noqa: E731
    assert not needs_enrichment(issued, "d1", days_ago(REFRESH_DAYS - 1), DAY)
    assert needs_enrichment(issued, "d1", days_ago(REFRESH_DAYS), DAY)
