import pytest

from outreach.enrichment.specialty import SPECIALTIES, cslb_class, infer_specialties, specialties_in_text


def _found(**evidence) -> dict[str, float]:
    return {found.value: found.confidence for found in infer_specialties(**evidence)}


def test_the_sixteen_contract_specialties() -> None:
    assert len(SPECIALTIES) == 16
    assert {"general_contractor", "pest_control", "cleaning"} <= set(SPECIALTIES)


@pytest.mark.parametrize(
    ("label", "code"),
    [("C36", "C36"), ("c-36", "C36"), ("C036", "C36"), ("C 10", "C10"), ("B", "B"), ("Class B", "B"),
     ("B-2", "B2"), ("D-49", "D49"), ("ROOFING", None), ("C123", None)],
)  # fmt: skip
def test_cslb_class_codes_are_canonicalized(label, code) -> None:
    assert cslb_class(label) == code


def test_cslb_classifications_map_with_their_own_weights() -> None:
    found = _found(source="license_ca", classifications=("B|C10|C20|C36", "C29", "C57"))
    assert found == {"general_contractor": 1.0, "electrical": 1.0, "hvac": 1.0, "plumbing": 1.0, "concrete": 0.7}


@pytest.mark.parametrize(
    ("classification", "specialty"),
    [
        ("C39", "roofing"), ("C33", "painting"), ("C15", "flooring"), ("C27", "landscaping"), ("C8", "concrete"),
        ("C9", "drywall"), ("C46", "solar"), ("C-61/D-49", "landscaping"), ("B-2", "remodeling"),
    ],
)  # fmt: skip
def test_each_common_cslb_class(classification, specialty) -> None:
    assert specialty in _found(source="license_ca", classifications=(classification,))


@pytest.mark.parametrize(
    ("source", "classifications", "specialty"),
    [
        ("license_wa", ("SPECIALTY CONTRACTOR", "ROOFING"), "roofing"),
        ("license_wa", ("GENERAL CONTRACTOR",), "general_contractor"),
        ("license_tx", ("Air Conditioning and Refrigeration Contractor",), "hvac"),
        ("license_tx", ("Electrical Contractor",), "electrical"),
        ("license_tx", ("Master Electrician",), "electrical"),
    ],
)
def test_wa_and_tx_license_descriptions_map_by_keyword(source, classifications, specialty) -> None:
    assert _found(source=source, classifications=classifications) == {specialty: 0.9}


@pytest.mark.parametrize(
    ("source", "classifications", "expected"),
    [
        ("license_wa", ("GENERAL",), {"general_contractor": 0.9}),
        ("license_wa", ("GENERAL SPECIALTY",), {}),
        ("license_tx", ("Barber, Class A",), {}),
        ("license_tx", ("Cosmetology Operator",), {}),
        ("directory", ("C36",), {}),
    ],
)
def test_labels_that_only_a_registry_s_conventions_explain(source, classifications, expected) -> None:
    assert _found(source=source, classifications=classifications) == expected


@pytest.mark.parametrize(
    ("text", "specialty"),
    [
        ("Power & Lighting", "electrical"), ("EV charger installation", "electrical"), ("Rewiring", "electrical"),
        ("AC repair & installation", "hvac"), ("Comfort Systems Mechanical", "hvac"), ("Ductwork", "hvac"),
        ("Trim and molding", "carpentry"), ("Decks and pergolas", "carpentry"), ("Acoustic ceilings", "drywall"),
        ("Fix-It", "handyman"), ("Honey-do lists", "handyman"), ("Battery storage", "solar"),
        ("Renewable Energy", "solar"), ("Mosquito control", "pest_control"), ("Window washing", "cleaning"),
        ("Post-construction cleanup", "cleaning"), ("ADUs and additions", "general_contractor"),
        ("Stamped concrete slabs", "concrete"), ("Kitchen & Bath", "remodeling"), ("Tile & Stone", "flooring"),
    ],
)  # fmt: skip
def test_everyday_directory_wording(text, specialty) -> None:
    assert specialties_in_text(text)[0][0] == specialty


def test_a_bare_contractor_is_not_a_general_contractor() -> None:
    assert "general_contractor" not in _found(source="license_tx", classifications=("Electrical Contractor",))


@pytest.mark.parametrize(
    ("text", "specialties"),
    [
        ("Carpet Cleaning", ["cleaning"]),
        ("Heating & Air Conditioning/HVAC", ["hvac", "hvac", "hvac"]),
        ("Smith Roofing & Construction", ["roofing", "general_contractor"]),
        ("We do kitchen & bath remodels and tile work", ["remodeling", "remodeling", "flooring"]),
        ("Bed Bug and termite treatment", ["pest_control", "pest_control"]),
        ("design-build firm", ["remodeling"]),
        ("Handy Man Services", ["handyman"]),
        ("Drain cleaning and water heaters", ["plumbing", "plumbing"]),
        ("Tree service, lawn care, irrigation", ["landscaping", "landscaping", "landscaping"]),
        ("Solar panels", ["solar"]),
        ("Acme Holdings 123", []),
        ("", []),
    ],
)
def test_trade_words_in_text(text, specialties) -> None:
    assert [specialty for specialty, _ in specialties_in_text(text)] == specialties


def test_a_license_classification_outranks_a_category_which_outranks_description_and_name() -> None:
    licensed = _found(source="license_ca", classifications=("C39",))["roofing"]
    category = _found(source="directory", classifications=("Roofing Contractors",))["roofing"]
    described = _found(source="directory", description="roof repair")["roofing"]
    named = _found(source="directory", business_name="Acme Roofing")["roofing"]
    assert licensed > category > described > named


def test_a_specialty_is_listed_once_at_its_strongest_evidence() -> None:
    found = infer_specialties(source="license_ca", classifications=("C39",), business_name="Acme Roofing")
    assert [(f.value, f.confidence, f.method) for f in found] == [("roofing", 1.0, "cslb_class C39")]


def test_stated_specialty_hints_count_as_stated() -> None:
    found = _found(source="social", specialty_hints=("hvac", "Pest Control", "general contractor", "basket weaving"))
    assert found == {"hvac": 0.9, "pest_control": 0.9, "general_contractor": 0.9}


def test_results_are_ordered_by_confidence_then_name() -> None:
    found = infer_specialties(source="directory", classifications=("Plumbing",), business_name="Ace Electric & Air")
    assert [f.value for f in found] == ["plumbing", "electrical"]
