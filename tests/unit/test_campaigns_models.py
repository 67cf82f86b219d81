"""Campaign definitions: the seed YAML files are valid, and invalid definitions fail with a clear message."""

from pathlib import Path

import pytest
import yaml

from outreach.campaigns.models import (
    DEFAULT_CAMPAIGNS_DIR,
    Campaign,
    CampaignFileError,
    Targeting,
    load_campaign_file,
    load_campaigns,
)


def _base() -> dict:
    return {
        "id": "0b4c1f0e-1111-4a2b-8c3d-000000000001",
        "name": "Test",
        "status": "active",
        "channels": ["email", "sms"],
        "daily_cap": 10,
        "steps": [
            {
                "name": "initial",
                "template_id": "test.initial",
                "templates": {"email": "intro_email.v1", "sms": "intro_sms.v1"},
                "subject": "Hello {business_name}",
                "email_body": "Hi {first_name}, projects in {city}.",
                "sms_body": "Hi {first_name}.",
            }
        ],
        "variants": [{"label": "a"}],
    }


def test_every_seed_campaign_validates_and_ids_are_unique() -> None:
    campaigns = load_campaigns()
    assert len(campaigns) >= 3
    assert len({c.id for c in campaigns}) == len(campaigns)
    assert {c.status for c in campaigns} == {"active"}


def test_seed_campaigns_cover_the_intended_shapes() -> None:
    by_name = {c.name: c for c in load_campaigns()}
    hvac = by_name["HVAC & plumbing under-supply"]
    assert set(hvac.targeting.specialties) == {"hvac", "plumbing"}
    assert len(hvac.steps) == 3 and hvac.steps[0].delay_days == 0
    referral = by_name["Referral warm introduction"]
    assert set(referral.targeting.sources) == {"referral", "social"} and referral.channels[0] == "sms"
    roofing = by_name["Roofing sign-up credit"]
    assert roofing.incentive is not None and roofing.incentive.amount_cents == 5000
    assert roofing.incentive.display() == "$50"


def test_the_arms_of_every_seed_campaign_render_different_template_variants() -> None:
    for campaign in load_campaigns():
        for channel in campaign.channels:
            rendered = [campaign.template_variant(0, channel, v.label) for v in campaign.variants]
            assert len(set(rendered)) == len(rendered), (campaign.name, channel)
    referral = next(c for c in load_campaigns() if c.name == "Referral warm introduction")
    assert [referral.template_variant(0, "sms", label) for label in ("control", "peer")] == ["a", "b"]


def test_an_arm_maps_to_its_template_variant_and_follow_ups_fall_back_to_their_template_s_first() -> None:
    data = _base()
    data["steps"].append({**data["steps"][0], "name": "follow_up", "delay_days": 3,
                          "templates": {"email": "followup_email.v1", "sms": "followup_sms.v1"}})
    data["variants"] = [{"label": "control", "template_variant": "a"}, {"label": "peer", "template_variant": "b"}]
    campaign = Campaign.model_validate(data)
    assert campaign.template_variant(0, "sms", "peer") == "b"
    assert campaign.template_variant(0, "email", "control") == "a"
    assert campaign.template_variant(1, "email", "peer") == "a"  # the follow-up template has one wording
    assert Campaign.model_validate(_base()).template_variant(0, "sms", "a") == "a"  # unset: the arm's label


def test_a_stored_definition_reads_back_identically() -> None:
    for campaign in load_campaigns():
        again = Campaign.model_validate(campaign.definition())
        assert again == campaign
        assert again.fingerprint() == campaign.fingerprint()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["steps"][0].update(subject="Hi {frist_name}"), "unknown placeholder"),
        (lambda d: d["steps"][0].update(sms_body="Hi {0}"), "unknown placeholder"),
        (lambda d: d["steps"][0].update(delay_days=2), "initial step"),
        (lambda d: d.update(channels=["email"]) or d["steps"][0].update(channel="sms"), "outside the campaign"),
        (lambda d: d["variants"].append({"label": "a"}), "variant labels must be unique"),
        (lambda d: d.update(channels=["email", "email"]), "unique"),
        (lambda d: d.update(send_window={"start": "07:00", "end": "12:00"}), "08:00-21:00"),
        (lambda d: d.update(send_window={"start": "15:00", "end": "12:00"}), "before"),
        (lambda d: d["steps"][0].update(subject="{incentive} for you"), "offers none"),
        (lambda d: d.update(daily_cap=0), "daily_cap"),
        (lambda d: d.update(surprise=True), "surprise"),
        (lambda d: d["targeting"].update(specialties=["plumbers"]), "specialties"),
        (lambda d: d["targeting"].update(regions=["San Diego"]), "regions"),
        (lambda d: d["variants"][0].update(label="A B"), "label"),
        (lambda d: d.update(incentive={"kind": "signup_credit", "amount_cents": 0}), "amount_cents"),
        (lambda d: d["steps"][0]["templates"].pop("sms"), "names no template for sms"),
        (lambda d: d["steps"][0]["templates"].update(sms="intro_sms"), "templates.sms"),
        (lambda d: d["steps"][0]["templates"].update(sms="intro_sms.v99"), "unknown template version"),
        (lambda d: d["steps"][0]["templates"].update(sms="welcome_sms.v1"), "unknown template"),
        (lambda d: d["steps"][0]["templates"].update(sms="intro_email.v1"), "an email template, not sms"),
        (lambda d: d["variants"].append({"label": "peer"}), "renders template variant 'peer', which intro_email.v1"),
        (lambda d: d["variants"].append({"label": "c", "template_variant": "c"}), "set its template_variant"),
        (lambda d: d["variants"].append({"label": "peer", "template_variant": "a"}), "arms must differ"),
    ],
)
def test_invalid_definitions_are_refused(change, message: str) -> None:
    data = _base()
    data["targeting"] = {}
    change(data)
    with pytest.raises(ValueError, match=message):
        Campaign.model_validate(data)


def test_region_selectors_match_slugs_and_state_prefixes() -> None:
    targeting = Targeting(regions=["us-tx", "us-ca-san-diego"])
    assert targeting.matches_region("us-tx-houston")
    assert targeting.matches_region("us-ca-san-diego")
    assert targeting.matches_region("us-ca-san-diego-north")  # under the selected slug
    assert not targeting.matches_region("us-txx-houston")
    assert not targeting.matches_region("us-ca-los-angeles")
    assert not targeting.matches_region(None)
    assert Targeting().matches_region(None)


def test_a_broken_file_names_itself(tmp_path: Path) -> None:
    (tmp_path / "broken.yaml").write_text("id: [unclosed\n")
    with pytest.raises(CampaignFileError, match=r"broken\.yaml"):
        load_campaigns(tmp_path)
    (tmp_path / "broken.yaml").write_text(yaml.safe_dump({**_base(), "daily_cap": -1}))
    with pytest.raises(CampaignFileError, match=r"broken\.yaml"):
        load_campaign_file(tmp_path / "broken.yaml")


def test_two_files_with_one_id_are_refused(tmp_path: Path) -> None:
    for name in ("one.yaml", "two.yaml"):
        (tmp_path / name).write_text(yaml.safe_dump(_base()))
    with pytest.raises(CampaignFileError, match=r"already used by one\.yaml"):
        load_campaigns(tmp_path)


def test_default_folder_is_the_repository_campaigns_folder() -> None:
    assert DEFAULT_CAMPAIGNS_DIR.name == "campaigns"
    assert (DEFAULT_CAMPAIGNS_DIR.parent / "pyproject.toml").exists()
