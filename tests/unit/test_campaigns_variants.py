"""Thompson sampling of A/B variants: reproducible per campaign and day, and drawn toward what gets replies."""

from collections import Counter
from datetime import date

from outreach.campaigns.models import Campaign
from outreach.campaigns.variants import VariantStats, assign_variants, batch_rng, variant_stats

CAMPAIGN = "0b4c1f0e-1111-4a2b-8c3d-000000000001"
IDS = [f"00000000-0000-4000-8000-{n:012d}" for n in range(2000)]


def _stats(a: tuple[int, int] = (0, 0), b: tuple[int, int] = (0, 0)) -> list[VariantStats]:
    return [VariantStats("a", *a), VariantStats("b", *b)]


def test_same_campaign_and_day_give_the_same_allocation() -> None:
    first = assign_variants(IDS, _stats((50, 5), (50, 7)), batch_rng(CAMPAIGN, date(2025, 6, 10)))
    second = assign_variants(list(reversed(IDS)), _stats((50, 5), (50, 7)), batch_rng(CAMPAIGN, date(2025, 6, 10)))
    assert first == second


def test_another_day_or_campaign_draws_differently() -> None:
    base = assign_variants(IDS, _stats(), batch_rng(CAMPAIGN, date(2025, 6, 10)))
    other_day = assign_variants(IDS, _stats(), batch_rng(CAMPAIGN, date(2025, 6, 11)))
    other_campaign = assign_variants(
        IDS, _stats(), batch_rng("0b4c1f0e-9999-4a2b-8c3d-000000000009", date(2025, 6, 10))
    )
    assert base != other_day and base != other_campaign


def test_without_observations_variants_share_traffic() -> None:
    shares = Counter(assign_variants(IDS, _stats(), batch_rng(CAMPAIGN, date(2025, 6, 10))).values())
    assert abs(shares["a"] - shares["b"]) < 0.1 * len(IDS)


def test_the_better_variant_gets_most_traffic_but_the_other_is_still_explored() -> None:
    rng = batch_rng(CAMPAIGN, date(2025, 6, 10))
    shares = Counter(assign_variants(IDS, _stats((200, 10), (200, 30)), rng).values())
    assert shares["b"] > 0.9 * len(IDS)
    weak = Counter(assign_variants(IDS, _stats((20, 2), (20, 4)), batch_rng(CAMPAIGN, date(2025, 6, 10))).values())
    assert weak["a"] > 0.05 * len(IDS)  # little evidence: keep exploring


def test_posteriors_add_observations_to_the_prior() -> None:
    campaign = Campaign.model_validate({
        "id": CAMPAIGN, "name": "t", "channels": ["email"], "daily_cap": 1,
        "steps": [{"name": "i", "template_id": "t.i", "templates": {"email": "intro_email.v1"}, "subject": "s",
                   "email_body": "e", "sms_body": "m"}],
        "variants": [{"label": "a"}, {"label": "b", "prior_alpha": 2, "prior_beta": 8}],
    })  # fmt: skip
    stats = {s.label: s for s in variant_stats(campaign, {"a": (10, 3)})}
    assert (stats["a"].alpha, stats["a"].beta) == (4.0, 8.0)
    assert (stats["b"].alpha, stats["b"].beta) == (2.0, 8.0)
    assert stats["b"].mean == 0.2


def test_no_prospects_no_draws() -> None:
    assert assign_variants([], _stats(), batch_rng(CAMPAIGN, date(2025, 6, 10))) == {}
