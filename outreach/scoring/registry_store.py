"""The model registry in Postgres (`app.model_registry`, `app.model_deployments`).

A trained model is saved as a `candidate` with its artifact bytes and sha256; the promotion gate (an asset check
calling `ml.registry.should_promote`) then either promotes it (`production`; the model it replaces becomes
`retired`) or rejects it (`rejected`), through `apply_decision`. At most one model is in production (a partial
unique index), and scoring always loads that one (`load_production`; None = cold start, the heuristic scores).

Rollback restores the production model that preceded the current one: each promoted row records the version it
replaced (`previous_version`), the current one becomes `rolled_back`, its predecessor `production` again. Rolling
back repeatedly walks back the chain of promotions; rolling back the first model ever promoted leaves no
production model, so the heuristic scores again. Every promotion, rejection and rollback is appended to
`app.model_deployments`. Mutations take a transaction-level advisory lock, so two concurrent promotions or
rollbacks serialize instead of racing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import psycopg
from psycopg.rows import dict_row

from ml.registry import ModelArtifact, PromotionDecision, deserialize, serialize

_LOCK = "select pg_advisory_xact_lock(hashtext('app.model_registry'))"
_ENTRY_COLUMNS = (
    "model_version, kind, status, training_window_start, training_window_end, feature_columns, parameters, metrics, "
    "n_labels, n_positives, artifact_sha256, previous_version, decision, trained_at, created_at, promoted_at, "
    "retired_at"
)


class RegistryError(RuntimeError):
    """A registry operation that cannot be done (unknown version, nothing to roll back)."""


@dataclass(frozen=True)
class RegistryEntry:
    model_version: str
    kind: str
    status: str
    training_window_start: datetime | None
    training_window_end: datetime | None
    feature_columns: list[str]
    parameters: dict[str, Any]
    metrics: dict[str, Any]
    n_labels: int
    n_positives: int
    artifact_sha256: str
    previous_version: str | None
    decision: dict[str, Any] | None
    trained_at: datetime
    created_at: datetime
    promoted_at: datetime | None
    retired_at: datetime | None


@dataclass(frozen=True)
class Promotion:
    model_version: str
    replaced_version: str | None


@dataclass(frozen=True)
class Rollback:
    rolled_back_version: str
    restored_version: str | None
    """None: no model left in production, the heuristic scores."""


def _json(value: Any) -> str:
    return json.dumps(value, default=str, allow_nan=False, sort_keys=True) if value is not None else "null"


def _clean(value: Any) -> Any:
    """JSON-safe: NaN and infinities become None (Postgres jsonb refuses them)."""
    if isinstance(value, float):
        return value if value == value and abs(value) != float("inf") else None
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if hasattr(value, "item"):
        return _clean(value.item())
    return value


def save_candidate(conn: psycopg.Connection, artifact: ModelArtifact) -> str:
    """Store a trained model as a candidate; saving the same version again changes nothing. Returns the version."""
    blob, digest = serialize(artifact)
    window = artifact.training_window or (None, None)
    with conn.transaction():
        conn.execute(
            "insert into app.model_registry (model_version, kind, status, training_window_start, "
            "training_window_end, feature_columns, parameters, metrics, n_labels, n_positives, artifact, "
            "artifact_sha256, trained_at) values (%s, %s, 'candidate', %s, %s, %s, %s, %s, %s, %s, %s, %s, %s) "
            "on conflict (model_version) do nothing",
            (
                artifact.version, artifact.kind, window[0], window[1], list(artifact.feature_columns),
                _json(_clean(artifact.params)), _json(_clean(artifact.metrics)), artifact.n_labels,
                artifact.n_positives, blob, digest, artifact.trained_at,
            ),
        )
    return artifact.version


def get_entry(conn: psycopg.Connection, model_version: str) -> RegistryEntry | None:
    with conn.cursor(row_factory=dict_row) as cur:
        row = cur.execute(
            f"select {_ENTRY_COLUMNS} from app.model_registry where model_version = %s", (model_version,)
        ).fetchone()
    return RegistryEntry(**row) if row else None


def list_models(conn: psycopg.Connection, limit: int = 50) -> list[RegistryEntry]:
    """The registry, newest first (without the artifact bytes)."""
    with conn.cursor(row_factory=dict_row) as cur:
        rows = cur.execute(
            f"select {_ENTRY_COLUMNS} from app.model_registry order by created_at desc, model_version desc limit %s",
            (limit,),
        ).fetchall()
    return [RegistryEntry(**row) for row in rows]


def production_version(conn: psycopg.Connection) -> str | None:
    row = conn.execute("select model_version from app.model_registry where status = 'production'").fetchone()
    return row[0] if row else None


def load_artifact(conn: psycopg.Connection, model_version: str) -> ModelArtifact:
    """The stored artifact, its sha256 checked (`ml.registry.ArtifactIntegrityError` on a mismatch)."""
    row = conn.execute(
        "select artifact, artifact_sha256 from app.model_registry where model_version = %s", (model_version,)
    ).fetchone()
    if row is None:
        raise RegistryError(f"no model {model_version!r} in the registry")
    return deserialize(bytes(row[0]), row[1])


def load_production(conn: psycopg.Connection) -> ModelArtifact | None:
    """The production model's artifact, or None (cold start: `ml.scoring.select_scorer` picks the heuristic)."""
    version = production_version(conn)
    return load_artifact(conn, version) if version else None


def promote(
    conn: psycopg.Connection,
    model_version: str,
    *,
    decision: PromotionDecision | dict[str, Any] | None = None,
    at: datetime | None = None,
) -> Promotion:
    """Make `model_version` the production model; the current one (if any) is retired. Promoting the production
    model again is a no-op."""
    now = at or datetime.now(UTC)
    reason = decision.as_dict() if isinstance(decision, PromotionDecision) else (decision or {})
    with conn.transaction():
        conn.execute(_LOCK)
        row = conn.execute(
            "select status from app.model_registry where model_version = %s for update", (model_version,)
        ).fetchone()
        if row is None:
            raise RegistryError(f"no model {model_version!r} in the registry")
        if row[0] == "production":
            return Promotion(model_version, None)
        current = production_version(conn)
        if current:
            conn.execute(
                "update app.model_registry set status = 'retired', retired_at = %s where model_version = %s",
                (now, current),
            )
        conn.execute(
            "update app.model_registry set status = 'production', promoted_at = %s, retired_at = null, "
            "previous_version = %s, decision = coalesce(%s::jsonb, decision) where model_version = %s",
            (now, current, _json(_clean(reason)) if reason else None, model_version),
        )
        conn.execute(
            "insert into app.model_deployments (action, model_version, replaced_version, reason, happened_at) "
            "values ('promote', %s, %s, %s, %s)",
            (model_version, current, _json(_clean(reason)), now),
        )
    return Promotion(model_version, current)


def reject(
    conn: psycopg.Connection,
    model_version: str,
    *,
    decision: PromotionDecision | dict[str, Any] | None = None,
    at: datetime | None = None,
) -> None:
    """Mark a candidate rejected by the promotion gate (the production model stays)."""
    now = at or datetime.now(UTC)
    reason = decision.as_dict() if isinstance(decision, PromotionDecision) else (decision or {})
    with conn.transaction():
        conn.execute(_LOCK)
        updated = conn.execute(
            "update app.model_registry set status = 'rejected', decision = %s "
            "where model_version = %s and status = 'candidate'",
            (_json(_clean(reason)), model_version),
        ).rowcount
        if not updated:
            raise RegistryError(f"{model_version!r} is not a candidate in the registry")
        conn.execute(
            "insert into app.model_deployments (action, model_version, reason, happened_at) "
            "values ('reject', %s, %s, %s)",
            (model_version, _json(_clean(reason)), now),
        )


def apply_decision(
    conn: psycopg.Connection, model_version: str, decision: PromotionDecision, *, at: datetime | None = None
) -> bool:
    """Promote or reject a candidate as the gate decided; True when promoted."""
    if decision.promote:
        promote(conn, model_version, decision=decision, at=at)
    else:
        reject(conn, model_version, decision=decision, at=at)
    return decision.promote


def rollback(conn: psycopg.Connection, *, reason: str | None = None, at: datetime | None = None) -> Rollback:
    """Restore the production model that preceded the current one (module docstring).

    Raises RegistryError when no model is in production.
    """
    now = at or datetime.now(UTC)
    with conn.transaction():
        conn.execute(_LOCK)
        row = conn.execute(
            "select model_version, previous_version from app.model_registry where status = 'production' for update"
        ).fetchone()
        if row is None:
            raise RegistryError("no production model to roll back")
        current, previous = row
        conn.execute(
            "update app.model_registry set status = 'rolled_back', retired_at = %s where model_version = %s",
            (now, current),
        )
        if previous:
            conn.execute(
                "update app.model_registry set status = 'production', promoted_at = %s, retired_at = null "
                "where model_version = %s",
                (now, previous),
            )
        conn.execute(
            "insert into app.model_deployments (action, model_version, replaced_version, reason, happened_at) "
            "values ('rollback', %s, %s, %s, %s)",
            (previous, current, _json({"reason": reason}), now),
        )
    return Rollback(current, previous)
