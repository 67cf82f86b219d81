"""Prospect assets: enrich the day's candidates, resolve every source record into golden prospects, and drop
businesses that are already InstaBids users. Each stage has a blocking quality gate (Great Expectations).

Both heavy stages work on what changed: enrichment on the new and changed candidates (the unchanged are only
marked seen), golden prospects re-merge and rewrite only the prospects whose records moved since the previous
successful run (its start time is kept in the materialization's `resolved_through` metadata)."""

from datetime import UTC, date, datetime

from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    BackfillPolicy,
    MaterializeResult,
    asset,
)

from expectations.runner import StageValidation, validate
from orchestration.assets.discovery import DISCOVERY_GROUP, discovery_assets
from orchestration.partitions import daily_partitions
from orchestration.resources import InstaBidsResource, PiiResource, PostgresResource
from outreach.discovery.store import load_candidates
from outreach.enrichment import enrich
from outreach.privacy.crypto import load_blind_indexer
from outreach.prospects import golden, registration, source_records
from outreach.prospects.frames import candidates_frame, enriched_frame
from outreach.prospects.freshness import needs_enrichment
from outreach.settings import Settings
from outreach.storage import quarantine
from outreach.storage.quarantine import QuarantinedRow

ENRICHED = AssetKey("enriched_source_records")
GOLDEN = AssetKey("golden_prospects")


def _check(name: str, result: StageValidation) -> AssetCheckResult:
    return AssetCheckResult(
        check_name=name,
        passed=result.passed,
        severity=AssetCheckSeverity.ERROR,
        metadata=result.metadata(),
        description=", ".join(o.description for o in result.critical_failures) or None,
    )


def _quarantine(conn, stage: str, day: date | None, failures: dict[str, list[str]], payloads: dict[str, object],
                cipher) -> None:
    rows = [
        QuarantinedRow(key.split(":", 1)[0] if ":" in key else stage, key, "; ".join(reasons), payloads[key])
        for key, reasons in failures.items()
    ]
    with conn.transaction():
        for source in {row.source for row in rows}:
            quarantine.clear(conn, stage, source, day)
        quarantine.add(conn, stage, day, rows, cipher)


@asset(
    key=ENRICHED,
    group_name=DISCOVERY_GROUP,
    partitions_def=daily_partitions,
    backfill_policy=BackfillPolicy.single_run(),
    deps=discovery_assets,
    kinds={"python", "postgres"},
    description="The day's candidate records, normalized field by field with a confidence and a source each, "
    "kept as the latest version of every source record.",
    check_specs=[
        AssetCheckSpec("candidates_quality", asset=ENRICHED, blocking=True,
                       description="Great Expectations suite `candidates` on the day's discovery output"),
        AssetCheckSpec("enriched_quality", asset=ENRICHED, blocking=True,
                       description="Great Expectations suite `enriched` on the normalized records"),
    ],
)
def enriched_source_records(context: AssetExecutionContext, postgres: PostgresResource, pii: PiiResource):
    cipher = pii.cipher()
    indexer = load_blind_indexer(Settings().state_dir)
    stored = unchanged = quarantined = erased = 0
    checks: dict[str, StageValidation] = {}
    with postgres.connect() as conn:
        for key in context.partition_keys:
            day = date.fromisoformat(key)
            candidates = load_candidates(conn, day, cipher)
            checks["candidates_quality"] = gate = validate("candidates", candidates_frame(candidates))
            if not gate.passed:
                break
            by_key = {f"{c.source}:{c.source_record_id}": c for c in candidates}
            _quarantine(conn, "candidates_gate", day, gate.row_failures,
                        {k: by_key[k].model_dump(mode="json") for k in gate.row_failures}, cipher)
            kept = {k: c for k, c in by_key.items() if k not in gate.row_failures}
            before = source_records.seen_before(conn)
            digests = {k: source_records.candidate_digest(c, indexer) for k, c in kept.items()}
            fresh = [c for k, c in kept.items() if needs_enrichment(c, digests[k], before.get(k), day)]
            enriched = [enrich(candidate, day) for candidate in fresh]
            checks["enriched_quality"] = gate = validate("enriched", enriched_frame(enriched))
            if not gate.passed:
                break
            enriched_by_key = {f"{r.provenance[0].source}:{r.provenance[0].source_record_id}": r for r in enriched}
            _quarantine(conn, "enriched", day, gate.row_failures,
                        {k: enriched_by_key[k].model_dump(mode="json") for k in gate.row_failures}, cipher)
            good, skipped_erased = source_records.without_erased(
                conn, [r for k, r in enriched_by_key.items() if k not in gate.row_failures], indexer)
            erased += skipped_erased
            fresh_keys = {f"{c.source}:{c.source_record_id}" for c in fresh}
            with conn.transaction():
                stored += source_records.upsert(conn, day, good, cipher, indexer, digests)
                unchanged += source_records.mark_seen(conn, day, (k for k in kept if k not in fresh_keys))
            quarantined += len(by_key) - len(kept) + len(fresh) - len(good) - skipped_erased
    skipped = StageValidation("enriched", 0, [])
    return MaterializeResult(
        metadata={"dagster/row_count": stored, "unchanged": unchanged, "quarantined": quarantined,
                  "erased_subjects_skipped": erased},
        check_results=[_check(name, checks.get(name, skipped)) for name in ("candidates_quality", "enriched_quality")],
    )


RESOLVED_THROUGH = "resolved_through"


def _resolved_through(context: AssetExecutionContext) -> datetime | None:
    """Start of the last successful golden run (records updated after it are re-merged); None: merge everything.

    A change to the merge rules (`outreach.enrichment.waterfall`) needs a full run: wipe the asset's
    materializations (`dagster asset wipe golden_prospects`) and the next run rebuilds every prospect."""
    event = context.instance.get_latest_materialization_event(GOLDEN)
    materialization = event.asset_materialization if event else None
    value = materialization.metadata.get(RESOLVED_THROUGH) if materialization else None
    return datetime.fromisoformat(value.value) if value is not None else None


@asset(
    key=GOLDEN,
    group_name=DISCOVERY_GROUP,
    partitions_def=daily_partitions,
    backfill_policy=BackfillPolicy.single_run(),
    deps=[ENRICHED],
    kinds={"python", "postgres"},
    description="One golden prospect per business: every source record clustered (splink), prospect ids kept "
    "stable across runs, fields merged by the waterfall; new prospects announced (ProspectDiscoveredEvent).",
    check_specs=[AssetCheckSpec("golden_quality", asset=GOLDEN, blocking=True,
                                description="Great Expectations suite `golden` on the prospects to write")],
)
def golden_prospects(context: AssetExecutionContext, postgres: PostgresResource, pii: PiiResource):
    cipher = pii.cipher()
    indexer = load_blind_indexer(Settings().state_dir)
    now = datetime.now(UTC).replace(microsecond=0)
    changed_since = _resolved_through(context)
    with postgres.connect() as conn:
        (started,) = conn.execute("select now()").fetchone()  # the database's clock, as `updated_at` is
        stored = source_records.load_all(conn, cipher)
        goldens, assignment = golden.build_golden(stored, now, changed_since)
        gate = validate("golden", golden.golden_frame(goldens))
        metadata: dict[str, object] = {"source_records": len(stored), "clusters": len(assignment.prospect_of_cluster),
                                       "merged": len(goldens), "merges": len(assignment.merges),
                                       "splits": len(assignment.splits)}
        if gate.passed:
            _quarantine(conn, "golden", None, gate.row_failures, {k: {"prospect_id": k} for k in gate.row_failures},
                        cipher)
            kept = [g for g in goldens if g.prospect_id not in gate.row_failures]
            written = golden.write_golden(conn, kept, assignment, cipher, indexer, now)
            metadata |= {"dagster/row_count": written.prospects, "new_prospects": written.new_prospects,
                         "removed_prospects": written.removed_prospects, "quarantined": len(gate.row_failures),
                         RESOLVED_THROUGH: started.isoformat()}
    return MaterializeResult(metadata=metadata, check_results=[_check("golden_quality", gate)])


@asset(
    group_name=DISCOVERY_GROUP,
    partitions_def=daily_partitions,
    backfill_policy=BackfillPolicy.single_run(),
    deps=[GOLDEN],
    kinds={"python", "postgres"},
    description="Prospects that are already InstaBids users (GET /users/search by email, then phone) are "
    "disqualified; each prospect is checked once.",
)
def prospect_registrations(postgres: PostgresResource, instabids: InstaBidsResource, pii: PiiResource):
    with postgres.connect() as conn:
        result = registration.check_registrations(
            conn, instabids.clients.users.search, pii.cipher(), datetime.now(UTC)
        )
    return MaterializeResult(metadata={"checked": result.checked, "registered": result.registered})


prospect_assets = [enriched_source_records, golden_prospects, prospect_registrations]
