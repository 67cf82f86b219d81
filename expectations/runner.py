"""Run a stage's suite over a DataFrame and say which rows failed which rule - without their values.

GX is imported lazily (≈4 s) and its progress bars are off. Row failures are reported by the frame's
`record_key` column only: the failing values may be contact data and never leave this function.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache

import pandas as pd

KEY = "record_key"


@dataclass(frozen=True)
class RuleOutcome:
    description: str
    severity: str
    column: str | None
    success: bool
    unexpected_count: int


@dataclass(frozen=True)
class StageValidation:
    stage: str
    rows: int
    outcomes: list[RuleOutcome]
    row_failures: dict[str, list[str]] = field(default_factory=dict)
    """record_key -> descriptions of the `row` rules it broke (these rows are quarantined)."""

    @property
    def critical_failures(self) -> list[RuleOutcome]:
        return [o for o in self.outcomes if o.severity == "critical" and not o.success]

    @property
    def passed(self) -> bool:
        return not self.critical_failures

    def metadata(self) -> dict[str, object]:
        """Quality figures for Dagster metadata."""
        return {
            "rows": self.rows,
            "quarantined_rows": len(self.row_failures),
            "critical_failures": len(self.critical_failures),
            **{f"{o.severity}: {o.description}": o.unexpected_count for o in self.outcomes},
        }


@cache
def _context():
    import great_expectations as gx

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = {"globally": False, "metric_calculations": False, "profilers": False}
    return context


def validate(stage: str, frame: pd.DataFrame) -> StageValidation:
    """Validate `frame` (which has a `record_key` column) against the rules of `stage`."""
    import great_expectations as gx

    from expectations.suites import RULES

    rules = RULES[stage]()
    if frame.empty:
        outcomes = [RuleOutcome(r.description, r.severity, _column(r), True, 0) for r in rules]
        return StageValidation(stage, 0, outcomes)
    context = _context()
    name = f"{stage}-{id(frame)}"
    batch_definition = (
        context.data_sources.add_or_update_pandas(name).add_dataframe_asset(stage)
        .add_batch_definition_whole_dataframe("all")
    )
    suite = gx.ExpectationSuite(name=name, expectations=[r.expectation for r in rules])
    batch = batch_definition.get_batch(batch_parameters={"dataframe": frame})
    result = batch.validate(
        suite, result_format={"result_format": "COMPLETE", "unexpected_index_column_names": [KEY]}
    )
    context.data_sources.delete(name)
    outcomes: list[RuleOutcome] = []
    row_failures: dict[str, list[str]] = defaultdict(list)
    for rule, outcome in zip(rules, result.results, strict=True):
        unexpected = outcome.result.get("unexpected_index_list") or []
        outcomes.append(
            RuleOutcome(rule.description, rule.severity, _column(rule), bool(outcome.success), len(unexpected))
        )
        if rule.severity == "row":
            for entry in unexpected:
                row_failures[str(entry[KEY])].append(rule.description)
    return StageValidation(stage, len(frame), outcomes, dict(row_failures))


def _column(rule) -> str | None:
    return getattr(rule.expectation, "column", None)
