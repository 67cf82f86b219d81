"""Priority = score x supply-gap weight: the weight from the demand mart, neutral when it says nothing."""

import pytest

from outreach.campaigns.models import Campaign
from outreach.campaigns.selection import NEUTRAL_WEIGHT, Candidate, gap_weight


def _campaign(specialties: list[str]) -> Campaign:
    step = {"name": "i", "template_id": "t.i", "templates": {"email": "intro_email.v1"}, "subject": "s",
            "email_body": "e", "sms_body": "m"}
    return Campaign.model_validate({
        "id": "0b4c1f0e-1111-4a2b-8c3d-000000000001", "name": "t", "channels": ["email"], "daily_cap": 1,
        "targeting": {"specialties": specialties}, "steps": [step], "variants": [{"label": "a"}],
    })  # fmt: skip


def _candidate(specialties: tuple[str, ...], region: str = "us-tx-houston", score: float = 0.5) -> Candidate:
    return Candidate(
        prospect_id="p", status="enriched", registered_user_id=None, business_name=None, city=None, state="TX",
        region=region, timezone=None, specialties=specialties, sources=(), email_domain=None, is_email_valid=True,
        is_sms_eligible=False, email_enc=b"e", phone_enc=None, contact_name_enc=None, email_bidx=None,
        phone_bidx=None, score=score,
    )  # fmt: skip


GAPS = {("plumbing", "us-tx-houston"): 0.8, ("hvac", "us-tx-houston"): 0.2, ("roofing", "us-tx-houston"): 1.7}


@pytest.mark.parametrize(
    ("targeted", "specialties", "region", "expected"),
    [
        ([], ("plumbing", "hvac"), "us-tx-houston", 1.3),  # the largest gap of its specialties
        (["hvac"], ("plumbing", "hvac"), "us-tx-houston", 0.7),  # only the targeted specialties count
        ([], ("painting",), "us-tx-houston", NEUTRAL_WEIGHT),  # the mart does not know the cell
        ([], ("plumbing",), "us-ca-fresno", NEUTRAL_WEIGHT),
        ([], ("roofing",), "us-tx-houston", 1.5),  # an index out of [0, 1] is clipped
    ],
)
def test_gap_weight(targeted, specialties, region, expected) -> None:
    assert gap_weight(_candidate(specialties, region), _campaign(targeted), GAPS) == pytest.approx(expected)


def test_no_mart_means_a_neutral_weight() -> None:
    assert gap_weight(_candidate(("plumbing",)), _campaign([]), {}) == NEUTRAL_WEIGHT


def test_priority_is_score_times_weight() -> None:
    candidate = _candidate(("plumbing",), score=0.6)
    weighted = Candidate(**{**candidate.__dict__, "gap_weight": 1.3})
    assert weighted.priority == pytest.approx(0.78)
