"""Discovery assets: one per source, each landing the day's candidate records in `raw.candidate_records`.

Rows a source cannot turn into a record (a malformed registry row, a listing without a name) are quarantined at
stage `candidates` with the reason; every source replaces its own day, so re-runs are idempotent.
"""

from collections.abc import Iterable
from datetime import UTC, date, datetime

from dagster import AssetExecutionContext, AssetKey, BackfillPolicy, MaterializeResult, asset

from orchestration.partitions import daily_partitions
from orchestration.resources import PiiResource, PostgresResource
from outreach.discovery.directory import crawl_directory
from outreach.discovery.records import SOURCES, CandidateRecord
from outreach.discovery.referrals import from_referral_event
from outreach.discovery.registries import Rejected, read_registry_folder
from outreach.discovery.social import from_potential_contractor
from outreach.discovery.store import land_candidates
from outreach.events.inbox import events_received_on
from outreach.ingestion.endpoints import ENDPOINTS_BY_NAME
from outreach.ingestion.raw_reader import read_items
from outreach.settings import Settings
from outreach.storage import quarantine
from outreach.storage.quarantine import QuarantinedRow

DISCOVERY_GROUP = "discovery"
STAGE = "candidates"
LICENSE_SOURCES = ("license_ca", "license_wa", "license_tx")


def _land(
    conn, partition_date: date, sources: tuple[str, ...], results: Iterable[CandidateRecord | Rejected], cipher
) -> dict[str, int]:
    """Land records per source (every listed source is replaced, even when empty) and quarantine rejects."""
    by_source: dict[str, list[CandidateRecord]] = {source: [] for source in sources}
    rejected: list[QuarantinedRow] = []
    for result in results:
        if isinstance(result, Rejected):
            source = result.source or sources[0]
            rejected.append(QuarantinedRow(source, result.source_record_id,
                                           f"{result.reason} ({result.location})", result.raw_row))
        else:
            by_source.setdefault(result.source, []).append(result)
    counts = {source: land_candidates(conn, partition_date, source, records, cipher)
              for source, records in by_source.items()}
    with conn.transaction():
        for source in by_source:
            quarantine.clear(conn, STAGE, source, partition_date)
        counts["quarantined"] = quarantine.add(conn, STAGE, partition_date, rejected, cipher)
    return counts


def _discovery_asset(name: str, description: str, deps: list[AssetKey] | None = None):
    return asset(
        name=name,
        group_name=DISCOVERY_GROUP,
        partitions_def=daily_partitions,
        backfill_policy=BackfillPolicy.single_run(),
        description=description,
        deps=deps or [],
        kinds={"python", "postgres"},
    )


def _days(context: AssetExecutionContext) -> list[date]:
    return [date.fromisoformat(key) for key in context.partition_keys]


def _result(counts_by_day: dict[date, dict[str, int]]) -> MaterializeResult:
    total: dict[str, int] = {}
    for counts in counts_by_day.values():
        for key, value in counts.items():
            total[key] = total.get(key, 0) + value
    rows = sum(value for key, value in total.items() if key in SOURCES)
    return MaterializeResult(metadata={"dagster/row_count": rows, **total})


@_discovery_asset(
    "social_candidates",
    "People known to existing users who are not yet contractors (the social potential-contractors feed).",
    deps=[AssetKey(["raw", "potential_contractors"])],
)
def social_candidates(context: AssetExecutionContext, postgres: PostgresResource, pii: PiiResource):
    cipher = pii.cipher()
    spec = ENDPOINTS_BY_NAME["potential_contractors"]
    counts = {}
    with postgres.connect() as conn:
        for day in _days(context):
            fetched_at = datetime.combine(day, datetime.min.time(), UTC)
            records = [from_potential_contractor(item, fetched_at) for item in read_items(conn, spec, day, cipher)]
            counts[day] = _land(conn, day, ("social",), records, cipher)
    return _result(counts)


@_discovery_asset("referral_candidates", "People referred by InstaBids users (ReferralCreatedEvent in the inbox).")
def referral_candidates(context: AssetExecutionContext, postgres: PostgresResource, pii: PiiResource):
    cipher = pii.cipher()
    counts = {}
    with postgres.connect() as conn:
        for day in _days(context):
            events = events_received_on(conn, "ReferralCreatedEvent", day, cipher)
            records = [from_referral_event(event.data, event.received_at) for event in events]
            counts[day] = _land(conn, day, ("referral",), records, cipher)
    return _result(counts)


@_discovery_asset(
    "license_registry_candidates",
    "Licensed contractors from public registry files (CA CSLB, WA L&I, TX TDLR layouts) in the registry folder.",
)
def license_registry_candidates(context: AssetExecutionContext, postgres: PostgresResource, pii: PiiResource):
    cipher = pii.cipher()
    folder = Settings().registry_dir
    counts = {}
    with postgres.connect() as conn:
        for day in _days(context):
            fetched_at = datetime.now(UTC)
            results = read_registry_folder(folder, fetched_at) if folder.is_dir() else []
            if not folder.is_dir():
                context.log.warning(f"no license registry folder at {folder}")
            counts[day] = _land(conn, day, LICENSE_SOURCES, results, cipher)
    return _result(counts)


@_discovery_asset(
    "directory_candidates",
    "Businesses listed in a web directory, crawled politely (robots.txt, Crawl-delay, a named user agent).",
)
def directory_candidates(context: AssetExecutionContext, postgres: PostgresResource, pii: PiiResource):
    cipher = pii.cipher()
    settings = Settings()
    counts = {}
    with postgres.connect() as conn:
        for day in _days(context):
            crawl = crawl_directory(
                settings.web_directory_url(), max_requests_per_second=settings.directory_max_requests_per_second
            )
            stats = crawl.stats
            context.log.info(
                f"crawled {stats.pages_fetched} pages ({stats.skipped_by_robots} skipped by robots.txt, "
                f"{stats.errors} errors, {stats.slept_seconds:.1f} s of politeness)"
            )
            counts[day] = _land(conn, day, ("directory",), [*crawl.records, *crawl.rejected], cipher)
            counts[day]["pages_fetched"] = stats.pages_fetched
            counts[day]["skipped_by_robots"] = stats.skipped_by_robots
    return _result(counts)


discovery_assets = [social_candidates, referral_candidates, license_registry_candidates, directory_candidates]
