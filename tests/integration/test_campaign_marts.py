"""The prospects and campaign marts built by the real dbt on a real Postgres from a hand-worked week of outreach
(tests/fixtures/campaign_activity.py): their figures, their incremental rebuilds, the CampaignPerformanceUpdated
events computed from them, and `dbt docs generate` on the database."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import psycopg
import pytest
from fixtures.api_server import fresh_database
from fixtures.campaign_activity import (
    CAMPAIGN_A,
    CAMPAIGN_B,
    DAYS_TO_CONVERT_P1,
    EXPECTED_CAMPAIGN_DAYS,
    PROSPECT,
    build_app_marts,
    run_dbt,
    seed_campaign_activity,
)

from outreach.campaigns.performance import EVENT_TYPE, publish_campaign_performance

pytestmark = pytest.mark.integration

COUNT_COLUMNS = ("prospects_targeted", "sent", "delivered", "bounced", "opened", "responded", "interested",
                 "opted_out", "converted", "verified", "cost_cents")
MART_TABLES = ("campaign_performance_daily", "campaign_funnel_daily", "prospect_conversion_metrics", "prospects")
WINDOW_OF_MARCH_7 = {"partition_date": "2025-03-07", "start_date": "2025-03-07", "end_date": "2025-03-08"}


@pytest.fixture(scope="module")
def marts(pg_server_url, tmp_path_factory):
    """(database url, dbt work folder) of a database holding the week, with the app marts built over all days."""
    with fresh_database(pg_server_url) as url:
        with psycopg.connect(url) as conn:
            seed_campaign_activity(conn)
        work = tmp_path_factory.mktemp("dbt")
        build_app_marts(url, work)
        yield url, work


def campaign_days(url: str) -> dict[tuple[str, str], tuple]:
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            f"select campaign_id::text, activity_date::text, {', '.join(COUNT_COLUMNS)} "
            "from marts.campaign_performance_daily"
        ).fetchall()
    return {(campaign, day): tuple(values) for campaign, day, *values in rows}


def snapshot(url: str) -> dict[str, list[tuple]]:
    """Every row of every app mart, as text, sorted."""
    with psycopg.connect(url) as conn:
        return {table: sorted(map(str, conn.execute(f"select t.*::text from marts.{table} t").fetchall()))
                for table in MART_TABLES}


def test_campaign_days_count_distinct_prospects_on_the_day_of_their_first_event(marts) -> None:
    url, _ = marts
    assert campaign_days(url) == EXPECTED_CAMPAIGN_DAYS
    with psycopg.connect(url) as conn:
        names = conn.execute("select distinct campaign_id::text, campaign_name, channel, campaign_started_at, currency "
                             "from marts.campaign_performance_daily order by 1").fetchall()
    assert names == [
        (CAMPAIGN_A, "Spring email", "email", datetime(2025, 3, 3, 18, tzinfo=UTC), "USD"),
        (CAMPAIGN_B, "SMS intro", "sms", datetime(2025, 3, 4, 18, tzinfo=UTC), "USD"),
    ]


def test_the_funnel_splits_campaigns_into_cells_with_rates_to_date_and_shared_model_cost(marts) -> None:
    url, _ = marts
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "select channel, template_id, variant, activity_date::text, sent, delivered, bounced, converted, "
            "delivery_rate, response_rate, conversion_rate, llm_cost_cents, incentive_cost_cents "
            "from marts.campaign_funnel_daily where campaign_id = %s order by 1, 2, 3, 4", (CAMPAIGN_A,)
        ).fetchall()
    assert rows == [
        ("email", "a.follow_up", "a", "2025-03-06", 1, 1, 0, 0, 1.0, 0.0, 0.0, 0, 0),
        # the model cost of a.initial that day is shared by its three cells (one message each)
        ("email", "a.initial", "a", "2025-03-03", 1, 1, 0, 0, 1.0, 0.0, 0.0, 67, 0),
        ("email", "a.initial", "a", "2025-03-04", 0, 0, 0, 0, 1.0, 1.0, 0.0, 0, 0),
        # P1's conversion and its incentive go to the cell of the last touch
        ("email", "a.initial", "a", "2025-03-06", 0, 0, 0, 1, 1.0, 1.0, 1.0, 0, 500),
        ("email", "a.initial", "a", "2025-03-07", 0, 0, 0, 0, 1.0, 1.0, 1.0, 0, 0),
        ("email", "a.initial", "b", "2025-03-03", 1, 0, 1, 0, 0.0, None, 0.0, 67, 0),
        ("sms", "a.initial", "a", "2025-03-03", 1, 1, 0, 0, 1.0, 0.0, 0.0, 67, 0),
    ]


def test_conversion_metrics_have_a_row_per_prospect_and_group(marts) -> None:
    url, _ = marts
    with psycopg.connect(url) as conn:
        groups = conn.execute(
            "select dimension, group_value, count(*), count(*) filter (where is_contacted), "
            "count(*) filter (where is_converted), max(days_to_convert) from marts.prospect_conversion_metrics "
            "group by 1, 2 order by 1, 2"
        ).fetchall()
    by_group = {(dimension, group): tuple(rest) for dimension, group, *rest in groups}
    assert by_group[("specialty", "plumbing")] == (3, 2, 1, pytest.approx(DAYS_TO_CONVERT_P1))
    assert by_group[("specialty", "hvac")] == (2, 2, 0, None)
    assert by_group[("region", "us-tx-austin")] == (1, 0, 0, None)  # P5: its only message was rejected
    assert by_group[("source", "license_ca")] == (1, 1, 1, pytest.approx(DAYS_TO_CONVERT_P1))
    assert by_group[("campaign", CAMPAIGN_A)] == (4, 3, 1, pytest.approx(DAYS_TO_CONVERT_P1))
    assert by_group[("campaign", CAMPAIGN_B)] == (1, 1, 0, None)
    assert by_group[("channel", "email")] == (4, 3, 1, pytest.approx(DAYS_TO_CONVERT_P1))
    assert by_group[("channel", "sms")] == (2, 2, 0, None)  # P3 and P4; the conversion's last touch was an email


def test_the_prospects_mart_has_one_row_per_prospect_and_no_contact_data(marts) -> None:
    url, _ = marts
    with psycopg.connect(url) as conn:
        columns = [r[0] for r in conn.execute(
            "select column_name from information_schema.columns where table_schema = 'marts' "
            "and table_name = 'prospects'")]
        p1 = conn.execute(
            "select score, score_model_version, lifecycle_status, messages_sent, messages_delivered, "
            "messages_opened, replies, is_converted_by_outreach, touches_before_conversion, fields_with_confidence, "
            "avg_field_confidence from marts.prospects where prospect_id = %s", (PROSPECT[1],)).fetchone()
        (count,) = conn.execute("select count(*) from marts.prospects").fetchone()
    assert count == len(PROSPECT)
    assert not [c for c in columns if c.endswith(("_enc", "_bidx")) or c in {"business_name", "email", "phone"}]
    assert p1 == (0.8, "m1", "verified", 1, 1, 1, 1, True, 1, 2, 0.7)


def test_rebuilding_a_partition_window_replaces_its_days_and_late_facts_restate_theirs(marts) -> None:
    url, work = marts
    before = snapshot(url)
    build_app_marts(url, work, window=WINDOW_OF_MARCH_7, command="run")
    assert snapshot(url) == before, "re-running a day must give the same rows"

    # P3 answers the SMS of 03-03 on 03-05, but the reply is recorded only after that day was built
    with psycopg.connect(url) as conn:
        (sms_id,) = conn.execute("select message_id from app.outreach_messages where idempotency_key = 'm3'").fetchone()
        conn.execute(
            "insert into app.prospect_responses (message_id, prospect_id, campaign_id, in_reply_to_message_id, "
            "channel, intent, confidence, analyzed_by, action, received_at) values ('00000000-0000-4000-8000-"
            "0000000000ff', %s, %s, %s, 'sms', 'question', 0.8, 'rules', 'none', '2025-03-05T09:00:00Z')",
            (PROSPECT[3], CAMPAIGN_A, sms_id))
    try:
        # the next partition's run restates the days before it
        build_app_marts(url, work, window=WINDOW_OF_MARCH_7, command="run")
        restated = campaign_days(url)
        assert restated[(CAMPAIGN_A, "2025-03-05")] == (4, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0)
        assert {k: v for k, v in restated.items() if k != (CAMPAIGN_A, "2025-03-05")} == EXPECTED_CAMPAIGN_DAYS
    finally:
        with psycopg.connect(url) as conn:
            conn.execute("delete from app.prospect_responses where message_id = '00000000-0000-4000-8000-0000000000ff'")
        build_app_marts(url, work, window=WINDOW_OF_MARCH_7, command="run")
    assert snapshot(url) == before, "a day whose facts disappeared loses its row"


def test_a_campaign_active_on_the_day_is_announced_once_per_figures(marts) -> None:
    url, _ = marts
    now = datetime(2025, 3, 8, 6, tzinfo=UTC)
    with psycopg.connect(url) as conn:
        first = publish_campaign_performance(conn, date(2025, 3, 6), now)
        again = publish_campaign_performance(conn, date(2025, 3, 6), now)
        events = conn.execute("select subject, data, occurred_at from app.outbox_events where type = %s",
                              (EVENT_TYPE,)).fetchall()
        conn.rollback()
    assert (first.published, first.unchanged) == (1, 0)  # campaign B had no activity on 03-06
    assert (again.published, again.unchanged) == (0, 1)
    [(subject, data, occurred_at)] = events
    assert subject == CAMPAIGN_A
    assert data == {"campaign_id": CAMPAIGN_A, "window_start": "2025-03-03T18:00:00Z",
                    "window_end": "2025-03-07T00:00:00Z", "sent": 3, "delivered": 2, "responded": 1,
                    "interested": 1, "converted": 1, "conversion_rate": 0.3333}
    assert occurred_at == datetime(2025, 3, 7, tzinfo=UTC)


def test_a_campaign_without_sends_announces_a_zero_conversion_rate(marts) -> None:
    url, _ = marts
    with psycopg.connect(url) as conn:
        publish_campaign_performance(conn, date(2025, 3, 5), datetime(2025, 3, 5, 12, tzinfo=UTC))
        [data] = [r[0] for r in conn.execute("select data from app.outbox_events where type = %s", (EVENT_TYPE,))]
        conn.rollback()
    assert data["campaign_id"] == CAMPAIGN_B
    assert (data["sent"], data["responded"], data["converted"], data["conversion_rate"]) == (1, 1, 0, 0.0)


def test_dbt_docs_generate_documents_the_marts_from_the_database(marts) -> None:
    url, work = marts
    run_dbt(url, work, "docs", "generate")
    catalog = json.loads((work / "target" / "catalog.json").read_text())
    node = catalog["nodes"]["model.instabids_outreach.campaign_performance_daily"]
    assert node["metadata"]["schema"] == "marts"
    assert node["columns"]["converted"]["type"] == "bigint"
    assert "first" in (node["columns"]["sent"]["comment"] or "")  # descriptions persisted as column comments
