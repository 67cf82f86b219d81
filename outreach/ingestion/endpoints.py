"""What is ingested: one `raw` table per list/analytics endpoint of the other domains.

This table of specs is the single source for the landing tables (the Alembic migration), the writer (which
columns to extract from each item) and the Dagster ingest assets (one per spec). Every raw table also has
`partition_date` (the Dagster partition that fetched it), `fetched_at` and `payload` (the item as received, minus
encrypted contact fields), and a re-run of a partition replaces that partition's rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Column:
    """One extracted column: `name` in the raw table, read from `item[source]`, typed `sql_type`."""

    name: str
    sql_type: str
    source: str | None = None
    nullable: bool = False
    encrypted: bool = False  # contact data: stored as AES-GCM ciphertext (bytea), never in clear

    @property
    def field(self) -> str:
        return self.source or self.name

    @property
    def column_sql_type(self) -> str:
        return "bytea" if self.encrypted else self.sql_type


@dataclass(frozen=True)
class EndpointSpec:
    """One ingested endpoint: asset `name` lands in table `raw.<name>`."""

    name: str
    domain: str  # a key of outreach.settings.DOMAINS
    path: str
    component: str  # the contract schema of one item (`#/components/schemas/<component>` of domains.openapi)
    columns: tuple[Column, ...]
    key: tuple[str, ...]  # columns that identify an item within a partition
    description: str
    window: str = "none"  # "days": since/until = partition day; "as_of": snapshot at the partition's end
    params: dict[str, str] = field(default_factory=dict)

    @property
    def table(self) -> str:
        return f"raw.{self.name}"

    @property
    def column_names(self) -> list[str]:
        """Names in the raw table (encrypted columns carry an `_enc` suffix)."""
        return [f"{c.name}_enc" if c.encrypted else c.name for c in self.columns]

    @property
    def columns_by_name(self) -> dict[str, Column]:
        return {c.name: c for c in self.columns}


def _c(name: str, sql_type: str = "text", **kw) -> Column:
    return Column(name, sql_type, **kw)


SPECIALTY_REGION = (_c("specialty"), _c("region"))

ENDPOINTS: tuple[EndpointSpec, ...] = (
    EndpointSpec(
        name="project_trends",
        component="ProjectTrend",
        domain="project_management",
        path="/projects/analytics/trends",
        columns=(_c("date", "date"), *SPECIALTY_REGION, _c("projects_created", "integer")),
        key=("date", "specialty", "region"),
        window="days",
        description="Projects created per day, specialty and region (GET /projects/analytics/trends).",
    ),
    EndpointSpec(
        name="specialty_demand",
        component="SpecialtyDemand",
        domain="project_management",
        path="/projects/analytics/demand",
        columns=(
            *SPECIALTY_REGION,
            _c("open_projects", "integer"),
            _c("avg_bids_per_project", "double precision"),
            _c("demand_index", "double precision"),
        ),
        key=("specialty", "region"),
        window="as_of",
        description="Open demand per specialty and region (GET /projects/analytics/demand).",
    ),
    EndpointSpec(
        name="open_projects",
        component="Project",
        domain="project_management",
        path="/projects",
        params={"status": "open"},
        columns=(
            _c("project_id", "uuid", source="id"),
            _c("title"),
            *SPECIALTY_REGION,
            _c("state"),
            _c("city"),
            _c("budget_min_cents", "bigint"),
            _c("budget_max_cents", "bigint"),
            _c("currency"),
            _c("status"),
            _c("bids_count", "integer"),
            _c("created_at", "timestamptz"),
            _c("bid_deadline", "timestamptz", nullable=True),
        ),
        key=("project_id",),
        description="Open projects (GET /projects?status=open).",
    ),
    EndpointSpec(
        name="regional_needs",
        component="RegionalNeed",
        domain="project_management",
        path="/projects/analytics/regional-needs",
        columns=(
            *SPECIALTY_REGION,
            _c("unfulfilled_projects", "integer"),
            _c("median_days_unfulfilled", "double precision"),
        ),
        key=("specialty", "region"),
        description="Open, unawarded projects per region and specialty (GET /projects/analytics/regional-needs).",
    ),
    EndpointSpec(
        name="labor_coverage",
        component="Coverage",
        domain="labor_marketplace",
        path="/labor-marketplace/analytics/coverage",
        columns=(
            *SPECIALTY_REGION,
            _c("active_contractors", "integer"),
            _c("avg_response_hours", "double precision", nullable=True),
            _c("coverage_ratio", "double precision"),
        ),
        key=("specialty", "region"),
        description="Contractor coverage per specialty and region (GET /labor-marketplace/analytics/coverage).",
    ),
    EndpointSpec(
        name="labor_regional_gaps",
        component="RegionalGap",
        domain="labor_marketplace",
        path="/labor-marketplace/analytics/regional-gaps",
        columns=(*SPECIALTY_REGION, _c("contractors_needed", "integer"), _c("gap_severity")),
        key=("specialty", "region"),
        description="Contractor shortfalls (GET /labor-marketplace/analytics/regional-gaps).",
    ),
    EndpointSpec(
        name="average_project_values",
        component="AverageProjectValue",
        domain="payment",
        path="/payment/analytics/average-project-value",
        columns=(
            *SPECIALTY_REGION,
            _c("avg_project_value_cents", "bigint"),
            _c("median_project_value_cents", "bigint"),
            _c("currency"),
            _c("sample_size", "integer"),
        ),
        key=("specialty", "region"),
        description="Paid project values per specialty and region (GET /payment/analytics/average-project-value).",
    ),
    EndpointSpec(
        name="payment_trends",
        component="PaymentTrend",
        domain="payment",
        path="/payment/analytics/payment-trends",
        columns=(
            _c("period"),
            *SPECIALTY_REGION,
            _c("total_volume_cents", "bigint"),
            _c("currency"),
            _c("projects_paid", "integer"),
        ),
        key=("period", "specialty", "region"),
        description="Monthly payment volume per specialty and region (GET /payment/analytics/payment-trends).",
    ),
    EndpointSpec(
        name="contractor_network",
        component="NetworkContractor",
        domain="social",
        path="/social/network/contractors",
        columns=(
            _c("user_id", "uuid"),
            _c("connections_count", "integer"),
            _c("referrals_made", "integer"),
            _c("referrals_converted", "integer"),
        ),
        key=("user_id",),
        description="Network and referral stats per contractor user (GET /social/network/contractors).",
    ),
    EndpointSpec(
        name="potential_contractors",
        component="PotentialContractor",
        domain="social",
        path="/social/connections/potential-contractors",
        columns=(
            _c("candidate_id", "uuid"),
            _c("name", encrypted=True),
            _c("business_name", nullable=True),
            _c("email", nullable=True, encrypted=True),
            _c("phone", nullable=True, encrypted=True),
            _c("specialty_hint", nullable=True),
            _c("region"),
            _c("state"),
            _c("city"),
            _c("referred_by_user_id", "uuid"),
            _c("relationship"),
            _c("first_seen_at", "timestamptz"),
        ),
        key=("candidate_id",),
        description="People known to existing users who are not yet contractors "
        "(GET /social/connections/potential-contractors). Contact fields encrypted.",
    ),
)

ENDPOINTS_BY_NAME = {spec.name: spec for spec in ENDPOINTS}
