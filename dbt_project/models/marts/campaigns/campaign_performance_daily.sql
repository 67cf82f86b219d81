{#-
    Campaign performance per campaign and UTC day with activity: the funnel counted in distinct prospects on the
    day each first reached a milestone in the campaign, the audience to date and the day's cost. The inbound API
    reads it (`integrations/api/queries.py`: the columns and their meaning are its contract); definitions in
    docs/marts.md.

    Incremental, delete+insert by day over the partition window widened by `funnel_restatement_days`, so late
    replies, sign-ups and verifications restate their days at the next run; a day's rows depend only on the
    app tables, so re-running a window gives the same rows.
-#}

{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key=['activity_date'],
        on_schema_change='append_new_columns',
        pre_hook="{{ delete_partition_window('activity_date', var('funnel_restatement_days')) }}",
    )
}}

with

cells as (

    select * from {{ ref('int_funnel_milestones_aggregated_to_campaign_cells') }}

),

campaigns as (

    select * from {{ ref('stg_app__campaigns') }}

),

costs as (

    select * from {{ ref('int_campaign_costs_aggregated_to_days') }}

),

-- the first time each prospect reached each milestone anywhere in the campaign
campaign_prospects as (

    select
        campaign_id,
        prospect_id,
        {%- for milestone in funnel_milestones() %}
        min(first_{{ milestone }}_at) as first_{{ milestone }}_at{% if not loop.last %},{% endif %}
        {%- endfor %}
    from cells
    group by campaign_id, prospect_id

),

campaign_starts as (

    select campaign_id, min(first_targeted_at) as campaign_started_at
    from campaign_prospects
    group by campaign_id

),

milestone_counts as (

    {{ milestone_day_counts('campaign_prospects', ['campaign_id']) }}

),

activity_days as (

    select campaign_id, activity_date from milestone_counts

    union

    select campaign_id, cost_date as activity_date from costs

),

daily as (

    select
        activity_days.campaign_id,
        activity_days.activity_date,
        {{ milestone_count_columns() }}
    from activity_days
    left join milestone_counts
        on activity_days.campaign_id = milestone_counts.campaign_id
        and activity_days.activity_date = milestone_counts.activity_date
    group by activity_days.campaign_id, activity_days.activity_date

),

final as (

    select
        -- keys
        {{ surrogate_key(['daily.campaign_id', 'daily.activity_date']) }} as campaign_day_id,
        daily.campaign_id,
        daily.activity_date,

        -- campaign
        campaigns.campaign_name,
        campaigns.primary_channel as channel,
        coalesce(campaign_starts.campaign_started_at, campaigns.created_at) as campaign_started_at,

        -- audience to date: every prospect the campaign planned a message for up to this day
        cast(
            sum(daily.targeted) over (
                partition by daily.campaign_id order by daily.activity_date rows unbounded preceding
            ) as bigint
        ) as prospects_targeted,

        -- funnel: prospects whose first such event in the campaign fell on this day
        {%- for milestone in funnel_milestones() if milestone != 'targeted' %}
        daily.{{ milestone }},
        {%- endfor %}

        -- cost (US dollars; Messaging reports no fees)
        cast(round(coalesce(costs.llm_cost_usd_micros, 0) / 10000.0) as bigint) as llm_cost_cents,
        coalesce(costs.incentive_cost_cents, 0) as incentive_cost_cents,
        cast(
            round(coalesce(costs.llm_cost_usd_micros, 0) / 10000.0) + coalesce(costs.incentive_cost_cents, 0)
            as bigint
        ) as cost_cents,
        'USD' as currency

    from daily
    inner join campaigns
        on daily.campaign_id = campaigns.campaign_id
    left join campaign_starts
        on daily.campaign_id = campaign_starts.campaign_id
    left join costs
        on daily.campaign_id = costs.campaign_id
        and daily.activity_date = costs.cost_date

)

select * from final
where {{ partition_window_filter('activity_date', var('funnel_restatement_days')) }}
