"""Prospect assets: enrich the day's candidates, resolve every source record into golden prospects, and drop
businesses that are already InstaBids users. Each stage has a blocking quality gate (Great Expectations)."""

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
    stored = quarantined = 0
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
            kept = [c for k, c in by_key.items() if k not in gate.row_failures]
            enriched = [enrich(candidate, day) for candidate in kept]
            checks["enriched_quality"] = gate = validate("enriched", enriched_frame(enriched))
            if not gate.passed:
                break
            enriched_by_key = {f"{r.provenance[0].source}:{r.provenance[0].source_record_id}": r for r in enriched}
            _quarantine(conn, "enriched", day, gate.row_failures,
                        {k: enriched_by_key[k].model_dump(mode="json") for k in gate.row_failures}, cipher)
            good = [r for k, r in enriched_by_key.items() if k not in gate.row_failures]
            with conn.transaction():
                stored += source_records.upsert(conn, day, good, cipher, indexer)
            quarantined += len(by_key) - len(good)
    skipped = StageValidation("enriched", 0, [])
    return MaterializeResult(
        metadata={"dagster/row_count": stored, "quarantined": quarantined},
        check_results=[_check(name, checks.get(name, skipped)) for name in ("candidates_quality", "enriched_quality")],
    )


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
    with postgres.connect() as conn:
        stored = source_records.load_all(conn, cipher)
        goldens, assignment = golden.build_golden(stored, now)
        gate = validate("golden", golden.golden_frame(goldens))
        metadata: dict[str, object] = {"source_records": len(stored), "clusters": len(goldens),
                                       "merges": len(assignment.merges), "splits": len(assignment.splits)}
        if gate.passed:
            _quarantine(conn, "golden", None, gate.row_failures, {k: {"prospect_id": k} for k in gate.row_failures},
                        cipher)
            kept = [g for g in goldens if g.prospect_id not in gate.row_failures]
            written = golden.write_golden(conn, kept, assignment, cipher, indexer, now)
            metadata |= {"dagster/row_count": written.prospects, "new_prospects": written.new_prospects,
                         "removed_prospects": written.removed_prospects, "quarantined": len(gate.row_failures)}
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
