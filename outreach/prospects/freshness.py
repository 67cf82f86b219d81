"""Which of the day's candidates need enriching: the new, the changed, and the unchanged whose judgement dated.

Enrichment is a function of the candidate and of the day it is judged on (`as_of`), and the day only matters for
the license: its status turns `expired` the day after it expires, an issue date in the future is refused until it
is reached, and its age grows. So an unchanged candidate keeps its stored enrichment unless one of those moved
since its `as_of`; its license age is refreshed every `REFRESH_DAYS` (an age is shown to a tenth of a year).
"""

from __future__ import annotations

from datetime import date

from outreach.discovery.records import CandidateRecord
from outreach.prospects.source_records import SeenBefore

REFRESH_DAYS = 30


def needs_enrichment(candidate: CandidateRecord, digest: str, before: SeenBefore | None, day: date) -> bool:
    """True when `candidate` (digest `digest`, seen on `day`) is new, changed, or its stored judgement dated."""
    if before is None or before.digest != digest or before.as_of > day:
        return True
    expires, issued = candidate.license_expires_on, candidate.license_issued_on
    if expires is not None and before.as_of <= expires < day:
        return True
    return issued is not None and (before.as_of < issued <= day or (day - before.as_of).days >= REFRESH_DAYS)
