"""The model lifecycle on a real Postgres: the weekly retrain asset and its promotion-gate check materialized by
Dagster, cold start, a regressing candidate rejected, rollback through the CLI, and the evaluate JSON against an
oracle - on a synthetic history of contacts and conversions drawn from known propensities (shifted into the
pipeline's partitions), loaded into a database of its own."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
import psycopg
import pytest
from click.testing import CliRunner
from dagster import DagsterInstance
from fixtures.api_server import fresh_database
from psycopg.types.json import Jsonb
from unit.test_ml_synthetic import START, World, make_world

from ml.features import DEMAND_COLUMNS, PROSPECT_COLUMNS
from ml.training import run_training
from outreach.campaigns.models import load_campaign_file
from outreach.campaigns.seed import seed_campaigns
from outreach.cli import main
from outreach.commands.simulate import CAMPAIGN_FILE
from outreach.scoring import registry_store
from outreach.scoring.evaluation import evaluate_production
from outreach.scoring.retrain import Retrained, decide
from outreach.scoring.training_data import load_labelled

pytestmark = pytest.mark.integration

SHIFT = pd.Timestamp("2026-01-05", tz="UTC") - START  # the world's Monday start onto the first weekly partition
LAST_WEEK = "2026-02-23"  # retrained as of 2026-03-02, the world's last day
FIRST_WEEK = "2026-01-05"  # as of 2026-01-12: no contact's 7-day horizon has elapsed


def _load_world(url: str, world: World) -> None:
    history = world.history.assign(occurred_at=world.history["occurred_at"] + SHIFT)
    converted = history[history["event"] == "converted"].groupby("prospect_id")["occurred_at"].min()
    campaign = load_campaign_file(CAMPAIGN_FILE)
    with psycopg.connect(url) as conn:
        seed_campaigns(conn, [campaign])
        prospects = world.prospects.astype(object).where(world.prospects.notna(), None)
        with conn.cursor() as cur:
            columns = ", ".join(PROSPECT_COLUMNS)
            cur.executemany(
                f"insert into app.prospects ({columns}, status, discovered_at, converted_at) values "
                f"({', '.join(['%s'] * len(PROSPECT_COLUMNS))}, %s, %s, %s)",
                [(*(Jsonb(v) if name == "field_confidence" else v for name, v in zip(PROSPECT_COLUMNS, row,
                                                                                    strict=True)),
                  "converted" if row[0] in converted.index else "contacted", START + SHIFT,
                  converted.get(row[0])) for row in prospects.itertuples(index=False)],
            )
            contacts = history[history["event"] == "contacted"]
            cur.executemany(
                "insert into app.outreach_messages (idempotency_key, prospect_id, campaign_id, step, channel, "
                "variant, template_id, composer, status, message_id, batch_date, scheduled_at, sent_at) "
                "values (gen_random_uuid()::text, %s, %s, 0, 'email', 'a', 'intro_email', 'template', 'delivered', "
                "gen_random_uuid(), %s, %s, %s)",
                [(pid, campaign.id, at.date(), at, at) for pid, at in zip(contacts["prospect_id"],
                                                                         contacts["occurred_at"], strict=True)],
            )
        conn.execute("create schema if not exists marts")
        conn.execute("create table marts.specialty_region_demand_daily (partition_date date, specialty text, "
                     "region text, " + ", ".join(f"{c} double precision" for c in DEMAND_COLUMNS[3:]) + ")")
        demand = world.demand.assign(partition_date=pd.to_datetime(world.demand["partition_date"]) + SHIFT.floor("D"))
        with conn.cursor() as cur:
            cur.executemany(
                f"insert into marts.specialty_region_demand_daily ({', '.join(DEMAND_COLUMNS)}) "
                f"values ({', '.join(['%s'] * len(DEMAND_COLUMNS))})",
                [(row[0].date(), *row[1:]) for row in demand[list(DEMAND_COLUMNS)].itertuples(index=False)],
            )
        conn.commit()


@pytest.fixture(scope="module")
def world() -> World:
    return make_world(4000, seed=5)


@pytest.fixture(scope="module")
def lifecycle_db(pg_server_url: str, world: World) -> Iterator[str]:
    with fresh_database(pg_server_url) as url:
        _load_world(url, world)
        yield url


@pytest.fixture(scope="module")
def env(lifecycle_db: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DATABASE_URL", lifecycle_db)
        patch.setenv("OUTREACH_STATE_DIR", str(tmp_path_factory.mktemp("state")))
        yield lifecycle_db


def _retrain(week: str):
    from orchestration.definitions import defs
    from orchestration.jobs import WEEKLY_RETRAIN

    return defs.resolve_job_def(WEEKLY_RETRAIN).execute_in_process(
        partition_key=week, instance=DagsterInstance.ephemeral())


def _oracle(world: World):
    truth = dict(zip(world.truth["prospect_id"], world.truth["true_propensity"], strict=True))
    return lambda ids: {i: truth[i] for i in ids if i in truth}


@pytest.fixture(scope="module")
def promoted(env: str):
    """The first week (cold start), then the last week (trained, gated) - materialized once for the module."""
    return _retrain(FIRST_WEEK), _retrain(LAST_WEEK)


def test_below_the_minimum_of_labels_the_retrain_is_a_cold_start(env: str, promoted) -> None:
    cold, _ = promoted
    assert cold.success
    [check] = cold.get_asset_check_evaluations()
    assert check.passed and check.metadata["cold_start"].value is True
    [materialization] = cold.get_asset_materialization_events()
    assert materialization.materialization.metadata["labelled_first_contacts"].value < 1000
    assert "model_version" not in materialization.materialization.metadata


def test_the_weekly_retrain_trains_registers_and_promotes_through_its_check(env: str, promoted) -> None:
    _, trained = promoted
    assert trained.success
    [check] = trained.get_asset_check_evaluations()
    assert check.check_name == "promotion_gate" and check.passed, check.metadata
    [materialization] = trained.get_asset_materialization_events()
    metadata = materialization.materialization.metadata
    assert metadata["calibration_plot"].value.startswith("![Calibration](data:image/png;base64,")
    assert {"gains_plot", "score_distribution_plot", "comparison"} <= set(metadata)
    with psycopg.connect(env) as conn:
        production = registry_store.load_production(conn)
        assert production is not None and production.version == metadata["model_version"].value
        assert production.params["holdout_start"] and production.params["label_horizon_days"] == 7
        assert {"candidate", "baseline", "heuristic"} <= set(production.params["comparison"])
        assert production.kind in production.params["selection_auc"], "chosen on the training examples"


def test_evaluate_reports_the_production_model_against_the_oracle_on_its_holdout(env: str, promoted,
                                                                                 world: World) -> None:
    with psycopg.connect(env) as conn:
        version = registry_store.production_version(conn)
        result = evaluate_production(conn, datetime(2026, 3, 10, tzinfo=UTC), _oracle(world))
    assert result["model_version"] == version and result["scorer"] in ("gbm", "logistic")
    assert {"model_version", "auc", "oracle_auc", "pr_auc", "brier", "ece", "lift_top_decile", "n_holdout"} <= set(
        result)
    assert result["n_holdout"] > 500 and result["n_oracle"] == result["n_holdout"]
    assert 0.6 < result["oracle_auc"] < 0.9 and 0.55 < result["auc"] <= result["oracle_auc"] + 0.02
    assert result["heuristic_auc"] < result["auc"]
    assert 0.0 <= result["ece"] < 0.05 and result["lift_top_decile"] > 1.3
    json.dumps(result, allow_nan=False)


def test_a_regressing_candidate_is_rejected_and_production_stays(env: str, promoted) -> None:
    as_of = datetime(2026, 3, 2, tzinfo=UTC)
    with psycopg.connect(env) as conn:
        production = registry_store.production_version(conn)
        holdout_start = pd.Timestamp(registry_store.load_production(conn).params["holdout_start"])
        examples = load_labelled(conn, as_of).examples
        training = (pd.to_datetime(examples["contacted_at"], utc=True) < holdout_start).to_numpy()
        labels = examples["label"].to_numpy().copy()
        labels[training] = np.random.default_rng(0).permutation(labels[training])  # learns noise, judged on truth
        run = run_training(examples.assign(label=labels), holdout_start=holdout_start, candidate="logistic",
                           trained_at=as_of + timedelta(hours=1))
        registry_store.save_candidate(conn, run.candidate)
        decision = decide(conn, replace(Retrained(as_of, len(examples), int(labels.sum())), run=run))
        assert not decision.gate.promote
        assert any(reason.startswith("FAIL roc_auc") for reason in decision.gate.reasons)
        assert registry_store.production_version(conn) == production == decision.production_after
        assert registry_store.get_entry(conn, run.candidate.version).status == "rejected"


def test_rollback_restores_the_previous_production_the_heuristic_here(env: str, promoted) -> None:
    runner = CliRunner()
    listed = runner.invoke(main, ["model", "list"])
    assert listed.exit_code == 0 and "\tproduction\t" in listed.output
    rolled = runner.invoke(main, ["model", "rollback", "--reason", "test"])
    assert rolled.exit_code == 0, rolled.output
    assert "production is now the heuristic" in rolled.output
    evaluated = runner.invoke(main, ["model", "evaluate", "--json", "--sandbox-url", "none"])
    assert evaluated.exit_code == 0, evaluated.output
    result = json.loads(evaluated.output.strip().splitlines()[-1])
    assert result["model_version"] == "heuristic-v1" and result["oracle_auc"] is None and result["n_holdout"] > 0
    again = runner.invoke(main, ["model", "rollback"])
    assert again.exit_code == 1 and "no production model" in again.output
    with psycopg.connect(env) as conn:
        assert registry_store.production_version(conn) is None
