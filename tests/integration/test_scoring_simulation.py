"""The closed loop: the sandbox's oracle of true propensities over HTTP, and `outreach simulate` running a day of
the real pipeline (Dagster in process) against a sandbox of its own, on a database of its own, ending with the
evaluate JSON on stdout."""

from __future__ import annotations

import json
import uuid

import httpx
import psycopg
import pytest
from click.testing import CliRunner

from outreach.cli import main
from outreach.simulation.sandbox_control import SandboxControl

pytestmark = pytest.mark.integration

EVALUATE_FIELDS = {"model_version", "auc", "oracle_auc", "pr_auc", "brier", "ece", "lift_top_decile", "n_holdout"}


def test_the_oracle_gives_the_true_propensity_of_the_business_behind_a_contacted_prospect(sandbox) -> None:
    entity = sandbox.sandbox.world.entities[0]
    contacted, never = str(uuid.uuid4()), str(uuid.uuid4())
    with sandbox.sandbox.lock:  # what accepting a message to the business's address records
        sandbox.sandbox.runtime.link_prospect(contacted, entity.entity_id)
    with SandboxControl(sandbox.url) as control:
        assert control.propensities([contacted, never, contacted]) == {contacted: entity.p_convert}
    refused = httpx.post(f"{sandbox.url}/sandbox/oracle/propensities", json={"prospect_ids": ["not-a-uuid"]})
    assert refused.status_code == 400 and refused.headers["content-type"] == "application/problem+json"


def test_simulate_runs_a_day_of_the_pipeline_against_its_own_sandbox_and_prints_the_evaluate_json(
    pg_server_url: str, monkeypatch, tmp_path
) -> None:
    monkeypatch.setenv("DATABASE_URL", pg_server_url)
    monkeypatch.setenv("OUTREACH_STATE_DIR", str(tmp_path))
    with psycopg.connect(pg_server_url) as conn:
        databases_before = {r[0] for r in conn.execute("select datname from pg_database")}

    result = CliRunner().invoke(main, ["simulate", "--days", "1", "--scale", "150", "--seed", "3"])

    assert result.exit_code == 0, result.output[-3000:]
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1, "stdout carries the evaluate JSON line only"
    evaluation = json.loads(lines[0])
    assert set(evaluation) >= EVALUATE_FIELDS
    simulation = evaluation["simulation"]
    assert simulation["failed_runs"] == 0 and simulation["contacted"] > 0
    # One day: no 7-day label horizon has elapsed, so no model - the cold-start heuristic scores, nothing to judge.
    assert evaluation["model_version"] == "heuristic-v1" and evaluation["n_holdout"] == 0
    assert evaluation["auc"] is None and evaluation["oracle_auc"] is None
    with psycopg.connect(pg_server_url) as conn:
        assert {r[0] for r in conn.execute("select datname from pg_database")} == databases_before, (
            "the simulation's own database is dropped afterwards"
        )
