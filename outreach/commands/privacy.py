"""`outreach privacy`: PII keys and their rotation, the audit log, retention, data-subject requests, consent.

The same code as the Dagster jobs (`orchestration/privacy.py`); see docs/privacy.md.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import click


def _database() -> str:
    from outreach.settings import Settings
    from outreach.storage.database import database_url
    from outreach.storage.migrate import upgrade

    url = database_url(Settings(), start=True)
    upgrade(url)
    return url


def _echo_json(value: object) -> None:
    click.echo(json.dumps(value, indent=2, default=str))


@click.group()
def privacy() -> None:
    """PII keys, audit log, retention, data-subject requests and consent."""


@privacy.command("keys")
def keys() -> None:
    """The active key, the known keys, and how many ciphertexts each key id seals (an unused old key can go)."""
    from outreach.privacy.crypto import check_keys_separate, load_blind_indexer, load_cipher
    from outreach.privacy.rotation import keys_in_use
    from outreach.settings import Settings
    from outreach.storage.database import connect

    settings = Settings()
    cipher = load_cipher(settings.state_dir)
    check_keys_separate(cipher, load_blind_indexer(settings.state_dir))
    with connect(_database()) as conn:
        in_use = keys_in_use(conn)
    _echo_json({"active": cipher.active_kid, "known": sorted(cipher.keys), "in_use": in_use,
                "unknown": sorted(set(in_use) - set(cipher.keys))})


@privacy.command("new-key")
@click.argument("kid")
def new_key(kid: str) -> None:
    """Put a new key KID first in the local keyring file (with OUTREACH_PII_KEYS set, add it there instead)."""
    from outreach.privacy.crypto import PiiKeyError, add_local_key
    from outreach.settings import Settings

    try:
        path = add_local_key(Settings().state_dir, kid)
    except PiiKeyError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"key {kid} now encrypts ({path}); run `outreach privacy rotate-keys` to re-encrypt older data")


@privacy.command("rotate-keys")
@click.option("--batch-size", type=click.IntRange(min=1), default=None, help="rows per committed batch "
              "[OUTREACH_PII_ROTATION_BATCH_SIZE, 1000]")
@click.option("--max-batches", type=click.IntRange(min=1), default=None, help="stop after this many batches")
def rotate_keys(batch_size: int | None, max_batches: int | None) -> None:
    """Re-encrypt every encrypted column to the active key (resumable, idempotent); prints the counts."""
    from outreach.privacy.crypto import check_keys_separate, load_blind_indexer, load_cipher
    from outreach.privacy.rotation import rotate_keys as rotate
    from outreach.settings import Settings
    from outreach.storage.database import connect

    settings = Settings()
    cipher = load_cipher(settings.state_dir)
    check_keys_separate(cipher, load_blind_indexer(settings.state_dir))
    with connect(_database()) as conn:
        report = rotate(conn, cipher, batch_size=batch_size or settings.pii_rotation_batch_size,
                        max_batches=max_batches)
    _echo_json({"active_kid": report.active_kid, "reencrypted": report.reencrypted, "total": report.total,
                "remaining_by_kid": report.remaining, "finished": report.finished})


@privacy.command("audit")
@click.option("--since", default=None, help="RFC 3339 time or YYYY-MM-DD")
@click.option("--actor", default=None)
@click.option("--action", default=None, help="read_pii, dsar_access, dsar_erasure, retention, rotate_keys")
@click.option("--subject", "subject_id", default=None, help="a prospect id, record key or request id")
@click.option("--limit", type=click.IntRange(min=1), default=100, show_default=True)
def audit(since: str | None, actor: str | None, action: str | None, subject_id: str | None, limit: int) -> None:
    """Who read or changed personal data, what and why: the audit log, newest first, one JSON object a line."""
    from dataclasses import asdict

    from outreach.privacy.audit import query
    from outreach.storage.database import connect

    moment = None
    if since:
        moment = datetime.fromisoformat(since.replace("Z", "+00:00"))
        moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    with connect(_database()) as conn:
        records = query(conn, since=moment, actor=actor, action=action, subject_id=subject_id, limit=limit)
    for record in records:
        click.echo(json.dumps(asdict(record), default=str))


@privacy.command("process")
def process() -> None:
    """Fulfil every pending privacy request (what the `privacy_requests` Dagster job runs)."""
    from outreach.privacy.crypto import load_blind_indexer, load_cipher
    from outreach.privacy.dsar import process_pending
    from outreach.settings import Settings
    from outreach.storage.database import connect

    settings = Settings()
    with connect(_database()) as conn:
        outcomes = process_pending(conn, load_cipher(settings.state_dir), load_blind_indexer(settings.state_dir))
    for outcome in outcomes:
        click.echo(f"{outcome.request_id} {outcome.kind} completed: {json.dumps(outcome.records, sort_keys=True)}")
    click.echo(f"{len(outcomes)} privacy requests completed")


@privacy.command("retention")
def retention() -> None:
    """Apply the retention policy now (what the daily `privacy_retention` job runs, minus the Dagster purge)."""
    from outreach.privacy.retention import RetentionPolicy, apply_retention
    from outreach.settings import Settings
    from outreach.storage.database import connect

    with connect(_database()) as conn:
        report = apply_retention(conn, RetentionPolicy.from_settings(Settings()), datetime.now(UTC))
    _echo_json(report.summary())


@privacy.command("consent")
@click.argument("prospect_id")
def consent(prospect_id: str) -> None:
    """A prospect's current consent per channel and the ledger entries it derives from."""
    from dataclasses import asdict

    from outreach.consent.ledger import history, prospect_consent
    from outreach.storage.database import connect

    with connect(_database()) as conn:
        current = {channel: asdict(state) for channel, state in prospect_consent(conn, prospect_id).items()}
        _echo_json({"current": current, "ledger": history(conn, prospect_id)})
