"""The data-quality rules of each stage, built in code (GX 1.x suites), each with a severity.

- `critical`: the stage is broken (duplicate keys, out-of-range confidences); the blocking asset check fails and
  downstream assets do not run.
- `row`: the rows that break it are quarantined with the rule as reason and kept out of the next stage.
- `warn`: reported in the check's metadata only (e.g. a record with no reachable channel is still a lead).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import great_expectations.expectations as gxe

from outreach.discovery.records import SOURCES

Severity = Literal["critical", "row", "warn"]

SPECIALTIES = (
    "general_contractor", "plumbing", "electrical", "hvac", "roofing", "painting", "flooring", "carpentry",
    "landscaping", "concrete", "drywall", "handyman", "remodeling", "solar", "pest_control", "cleaning",
)
REGION = r"^[a-z]{2}-[a-z]{2}-[a-z0-9]+(?:-[a-z0-9]+)*$"
E164 = r"^\+[1-9][0-9]{1,14}$"
STATE = r"^[A-Z]{2}$"
PROSPECT_STATUSES = (
    "discovered", "enriched", "scored", "contacted", "responded", "interested",
    "converted", "verified", "suppressed", "disqualified",
)


@dataclass(frozen=True)
class Rule:
    expectation: gxe.Expectation
    severity: Severity
    description: str


def candidates_rules() -> list[Rule]:
    """Discovery output: every record identifiable, from a known source, about something nameable."""
    return [
        Rule(gxe.ExpectColumnValuesToNotBeNull(column="source_record_id"), "critical", "record id present"),
        Rule(gxe.ExpectColumnValuesToBeInSet(column="source", value_set=list(SOURCES)), "critical", "known source"),
        Rule(gxe.ExpectColumnValuesToBeUnique(column="record_key"), "critical", "one row per source record"),
        Rule(gxe.ExpectColumnValuesToBeInSet(column="has_name", value_set=[True]), "row",
             "a business or contact name"),
        Rule(gxe.ExpectColumnValuesToBeInSet(column="has_contact_or_license", value_set=[True]), "row",
             "a phone, an email or a license number"),
    ]


def enriched_rules() -> list[Rule]:
    """Normalized records: every value in its contract format, every confidence a probability."""
    return [
        Rule(gxe.ExpectColumnValuesToBeUnique(column="record_key"), "critical", "one row per source record"),
        Rule(gxe.ExpectColumnValuesToBeBetween(column="min_confidence", min_value=0, max_value=1), "critical",
             "confidences within 0..1"),
        Rule(gxe.ExpectColumnValuesToBeBetween(column="max_confidence", min_value=0, max_value=1), "critical",
             "confidences within 0..1"),
        Rule(gxe.ExpectColumnValuesToMatchRegex(column="phone", regex=E164), "critical", "phones are E.164"),
        Rule(gxe.ExpectColumnValuesToMatchRegex(column="region", regex=REGION), "row", "region is a contract slug"),
        Rule(gxe.ExpectColumnValuesToMatchRegex(column="state", regex=STATE), "row", "state is a 2-letter code"),
        Rule(gxe.ExpectColumnValuesToBeInSet(column="is_reachable", value_set=[True]), "warn",
             "a valid phone or email"),
    ]


def golden_rules() -> list[Rule]:
    """Golden prospects: one per business, a known lifecycle status, contract-valid specialties and regions."""
    return [
        Rule(gxe.ExpectColumnValuesToNotBeNull(column="prospect_id"), "critical", "prospect id present"),
        Rule(gxe.ExpectColumnValuesToBeUnique(column="prospect_id"), "critical", "one row per prospect"),
        Rule(gxe.ExpectColumnValuesToBeInSet(column="status", value_set=list(PROSPECT_STATUSES)), "critical",
             "known lifecycle status"),
        Rule(gxe.ExpectColumnValuesToMatchRegex(column="region", regex=REGION), "row", "region is a contract slug"),
        Rule(gxe.ExpectColumnValuesToBeInSet(column="has_specialty", value_set=[True]), "warn",
             "at least one specialty"),
        Rule(gxe.ExpectColumnValuesToBeInSet(column="is_reachable", value_set=[True]), "warn",
             "a valid phone or email"),
    ]


RULES = {"candidates": candidates_rules, "enriched": enriched_rules, "golden": golden_rules}
