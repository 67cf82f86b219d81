"""`outreach model`: the scoring model registry - evaluate what scores today, roll back, list the models."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime

import click


def _database() -> str:
    from outreach.settings import Settings
    from outreach.storage.database import database_url
    from outreach.storage.migrate import upgrade

    url = database_url(Settings(), start=True)
    upgrade(url)
    return url


@click.group()
def model() -> None:
    """The scoring model registry (app.model_registry)."""


@model.command("evaluate")
@click.option("--json", "as_json", is_flag=True, help="one JSON line (the default prints it indented)")
@click.option("--sandbox-url", default=None, help="the sandbox whose oracle gives oracle_auc [the local sandbox "
              "of `outreach up`]; 'none' for no oracle (production has none)")
def evaluate(as_json: bool, sandbox_url: str | None) -> None:
    """Production model (or heuristic) on its holdout: auc, oracle_auc, pr_auc, brier, ece, lift_top_decile..."""
    import httpx

    from outreach.scoring.evaluation import evaluate_production
    from outreach.settings import Settings
    from outreach.simulation.sandbox_control import SandboxControl
    from outreach.storage.database import connect

    url = sandbox_url or Settings().local_sandbox_url
    with connect(_database()) as conn:
        result = None
        if url and url != "none":
            try:
                with SandboxControl(url) as control:
                    result = evaluate_production(conn, datetime.now(UTC), control.propensities)
            except httpx.HTTPError as exc:
                click.echo(f"no oracle at {url} ({exc}): oracle_auc left null", err=True)
        if result is None:
            result = evaluate_production(conn, datetime.now(UTC))
    click.echo(json.dumps(result, sort_keys=True) if as_json else json.dumps(result, indent=2, sort_keys=True))


@model.command("rollback")
@click.option("--reason", default=None, help="recorded in app.model_deployments")
def rollback(reason: str | None) -> None:
    """Restore the production model that preceded the current one (none left: the heuristic scores)."""
    from outreach.scoring.registry_store import RegistryError
    from outreach.scoring.registry_store import rollback as rollback_model
    from outreach.storage.database import connect

    with connect(_database()) as conn:
        try:
            done = rollback_model(conn, reason=reason)
        except RegistryError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(1)
    click.echo(f"rolled back {done.rolled_back_version}; production is now {done.restored_version or 'the heuristic'}")


@model.command("list")
@click.option("--limit", default=20, show_default=True)
def list_models(limit: int) -> None:
    """The registry, newest first: version, status, labels, holdout ROC AUC and ECE."""
    from outreach.scoring.registry_store import list_models as registry_models
    from outreach.storage.database import connect

    with connect(_database()) as conn:
        entries = registry_models(conn, limit)
    for e in entries:
        auc, ece = e.metrics.get("roc_auc"), e.metrics.get("ece")
        click.echo(f"{e.model_version}\t{e.status}\tlabels={e.n_labels}\tconversions={e.n_positives}\t"
                   f"auc={auc if auc is None else round(auc, 4)}\tece={ece if ece is None else round(ece, 4)}")
    click.echo(f"{len(entries)} models")
