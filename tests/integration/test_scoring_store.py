"""The registry and the scores in a migrated Postgres: promote, reject, rollback; scores written once per prospect
with their ProspectScoredEvents in the outbox. Each test runs in a transaction that is rolled back."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import numpy as np
import pandas as pd
import psycopg
import pytest

from ml.features import FEATURE_COLUMNS, build_features, supply_gap
from ml.heuristic import HEURISTIC, HEURISTIC_VERSION
from ml.registry import ArtifactIntegrityError, ModelArtifact, should_promote
from ml.scoring import score, select_scorer
from ml.training import train_baseline
from outreach.scoring import registry_store as registry
from outreach.scoring.scores_store import load_demand, load_prospects, write_scores

pytestmark = pytest.mark.integration

NOW = datetime(2025, 3, 10, 6, 0, tzinfo=UTC)


@pytest.fixture
def tx(db: psycopg.Connection) -> Iterator[psycopg.Connection]:
    """The test's changes, rolled back at the end; the registry starts empty."""
    with db.transaction(force_rollback=True):
        db.execute("delete from app.model_deployments")
        db.execute("delete from app.model_registry")
        yield db


def _model(seed: int) -> ModelArtifact:
    """A small logistic model on random features (the registry does not care how good it is)."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(2000, len(FEATURE_COLUMNS)))
    frame = pd.DataFrame(X, columns=list(FEATURE_COLUMNS))
    frame["label"] = (rng.random(2000) < 1 / (1 + np.exp(-(X[:, 0] - 2)))).astype(int)
    return train_baseline(frame, time_column=None, trained_at=NOW + timedelta(days=seed))


def test_promote_then_rollback_walks_back_the_chain(tx: psycopg.Connection) -> None:
    first, second = _model(1), _model(2)
    assert registry.load_production(tx) is None
    assert select_scorer(registry.load_production(tx)) is HEURISTIC  # cold start
    for model in (first, second):
        assert registry.save_candidate(tx, model) == model.version
    registry.save_candidate(tx, first)  # idempotent
    assert [e.status for e in registry.list_models(tx)] == ["candidate", "candidate"]

    assert registry.promote(tx, first.version, at=NOW) == registry.Promotion(first.version, None)
    promotion = registry.promote(tx, second.version, decision=should_promote({"ece": 0.01}, None), at=NOW)
    assert promotion.replaced_version == first.version
    assert registry.production_version(tx) == second.version
    assert registry.get_entry(tx, first.version).status == "retired"
    assert registry.get_entry(tx, second.version).previous_version == first.version
    assert registry.get_entry(tx, second.version).decision["promote"] is True
    loaded = registry.load_production(tx)
    assert loaded.version == second.version and select_scorer(loaded).version == second.version

    assert registry.rollback(tx, reason="bad week") == registry.Rollback(second.version, first.version)
    assert registry.production_version(tx) == first.version
    assert registry.get_entry(tx, second.version).status == "rolled_back"
    assert registry.rollback(tx) == registry.Rollback(first.version, None)
    assert registry.production_version(tx) is None
    with pytest.raises(registry.RegistryError):
        registry.rollback(tx)
    actions = tx.execute("select action from app.model_deployments order by deployment_id").fetchall()
    assert [a for (a,) in actions] == ["promote", "promote", "rollback", "rollback"]


def test_the_gate_decision_promotes_or_rejects_and_only_one_model_is_in_production(tx: psycopg.Connection) -> None:
    good, bad = _model(3), _model(4)
    registry.save_candidate(tx, good)
    registry.save_candidate(tx, bad)
    production = {"roc_auc": 0.70, "pr_auc": 0.30, "brier": 0.11, "ece": 0.01}
    assert registry.apply_decision(tx, good.version, should_promote(production, None))
    assert not registry.apply_decision(tx, bad.version, should_promote(production | {"roc_auc": 0.6}, production))
    entry = registry.get_entry(tx, bad.version)
    assert entry.status == "rejected" and entry.decision["promote"] is False
    with pytest.raises(registry.RegistryError):
        registry.reject(tx, bad.version)
    with pytest.raises(psycopg.errors.UniqueViolation), tx.transaction():
        tx.execute("update app.model_registry set status = 'production' where model_version = %s", (bad.version,))


def test_a_tampered_artifact_is_refused(tx: psycopg.Connection) -> None:
    model = _model(5)
    registry.save_candidate(tx, model)
    tx.execute(
        "update app.model_registry set artifact = artifact || '\\x00'::bytea where model_version = %s",
        (model.version,),
    )
    with pytest.raises(ArtifactIntegrityError):
        registry.load_artifact(tx, model.version)


def _insert_prospects(conn: psycopg.Connection, n: int) -> list[str]:
    ids = [str(uuid.uuid4()) for _ in range(n)]
    for i, pid in enumerate(ids):
        conn.execute(
            "insert into app.prospects (prospect_id, status, business_name, region, specialties, license_status, "
            "rating, review_count, sources, is_email_valid, is_phone_valid, is_sms_eligible, field_confidence, "
            "discovered_at) values (%s, 'enriched', %s, 'us-ca-san-diego', %s, %s, 4.5, %s, %s, true, true, %s, "
            "%s, %s)",
            (
                pid, f"Biz {i}", ["plumbing"] if i % 2 else ["roofing", "plumbing"], "active" if i % 3 else None,
                10 * i, ["directory"] if i % 2 else ["social"], bool(i % 2), '{"business_name": 0.9}', NOW,
            ),
        )
    return ids


def _demand_table(conn: psycopg.Connection) -> str:
    conn.execute(
        "create temporary table demand_mart (partition_date date, specialty text, region text, "
        "supply_gap_index numeric, opportunity_value_cents bigint, demand_pressure numeric, coverage_shortfall "
        "numeric, contractor_shortfall numeric, gap_severity_weight numeric, wait_pressure numeric, "
        "coverage_ratio numeric) "
        "on commit drop"
    )
    conn.execute(
        "insert into demand_mart values "
        "(%s, 'plumbing', 'us-ca-san-diego', 0.6, 500000, 0.5, 0.5, 0.5, 0.5, 0.5, 0.4), "
        "(%s, 'roofing', 'us-ca-san-diego', 0.2, 100000, 0.2, 0.2, 0.2, 0.25, 0.1, 0.9)",
        (date(2025, 3, 9), date(2025, 3, 10)),
    )
    return "pg_temp.demand_mart"


def test_scores_are_written_once_per_prospect_with_their_events(tx: psycopg.Connection) -> None:
    ids = _insert_prospects(tx, 4)
    prospects = load_prospects(tx)
    prospects = prospects[prospects["prospect_id"].isin(ids)].reset_index(drop=True)
    demand = load_demand(tx, date(2025, 3, 3), date(2025, 3, 10), table=_demand_table(tx))
    features = build_features(prospects, demand, None, NOW)
    assert features.set_index("prospect_id").loc[ids[0], "supply_gap_primary"] == 0.2  # roofing first
    scored = score(HEURISTIC, features, top_k=3)

    written = write_scores(tx, scored, scored_at=NOW, supply_gap=supply_gap(features))
    assert (written.rows, written.events) == (4, 4)
    rows = tx.execute(
        "select prospect_id::text, score, model_version, scorer, jsonb_array_length(top_factors), priority, "
        "scored_on from app.prospect_scores where prospect_id = any(%s::uuid[]) order by prospect_id",
        (ids,),
    ).fetchall()
    assert {r[0] for r in rows} == set(ids)
    assert all(r[2] == HEURISTIC_VERSION and r[3] == "heuristic" and r[4] == 3 for r in rows)
    assert all(r[5] == pytest.approx(r[1]) and r[6] == date(2025, 3, 10) for r in rows)  # the gap is in the score
    events = tx.execute(
        "select subject, data from app.outbox_events where type = 'ProspectScoredEvent' and subject = any(%s)",
        (ids,),
    ).fetchall()
    assert {s for s, _ in events} == set(ids)
    data = dict(events)[ids[0]]
    assert data["model_version"] == HEURISTIC_VERSION and data["scored_at"] == "2025-03-10T06:00:00Z"
    assert len(data["top_factors"]) == 3 and set(data["top_factors"][0]) == {"feature", "contribution"}

    again = write_scores(tx, scored, scored_at=NOW + timedelta(hours=1), supply_gap=supply_gap(features))
    assert (again.rows, again.events) == (4, 0)  # same prospect, model and day: no second event
    stale = write_scores(tx, scored, scored_at=NOW - timedelta(days=1))
    assert (stale.rows, stale.events) == (0, 0)  # an older score never replaces a newer one
    next_day = write_scores(tx, scored, scored_at=NOW + timedelta(days=1), publish_events="changed")
    assert (next_day.rows, next_day.events) == (4, 0)  # unchanged scores: nothing to announce

    model = _model(6)
    by_model = score(model, features, top_k=10)
    result = write_scores(tx, by_model, scored_at=NOW + timedelta(days=1), supply_gap=supply_gap(features))
    assert (result.rows, result.events) == (4, 4)
    row = tx.execute(
        "select model_version, scorer, priority, score, supply_gap from app.prospect_scores where prospect_id = %s",
        (ids[1],),
    ).fetchone()
    assert row[0] == model.version and row[1] == "model"
    assert row[2] == pytest.approx(row[3] * (0.25 + 0.75 * row[4]))
    count = tx.execute("select count(*) from app.prospect_scores where prospect_id = any(%s::uuid[])", (ids,))
    assert count.fetchone()[0] == 4
