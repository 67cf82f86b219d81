{#-
    The outreach funnel per campaign cell (campaign x channel x template x variant) and UTC day: prospects on
    the day they first reached each milestone through the cell, the cell's rates to date and the day's cost
    (definitions in docs/marts.md). Incremental like campaign_performance_daily.
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

{%- set cell = ['campaign_id', 'channel', 'template_id', 'variant'] -%}

with

cell_prospects as (

    select * from {{ ref('int_funnel_milestones_aggregated_to_campaign_cells') }}

),

campaigns as (

    select * from {{ ref('stg_app__campaigns') }}

),

costs as (

    select * from {{ ref('int_campaign_costs_allocated_to_cells') }}

),

milestone_counts as (

    {{ milestone_day_counts('cell_prospects', cell) }}

),

activity_days as (

    select {{ cell | join(', ') }}, activity_date from milestone_counts

    union

    select {{ cell | join(', ') }}, cost_date as activity_date from costs

),

daily as (

    select
        {%- for column in cell %}
        activity_days.{{ column }},
        {%- endfor %}
        activity_days.activity_date,
        {{ milestone_count_columns() }}
    from activity_days
    left join milestone_counts
        on activity_days.activity_date = milestone_counts.activity_date
        {%- for column in cell %}
        and activity_days.{{ column }} = milestone_counts.{{ column }}
        {%- endfor %}
    group by {% for column in cell %}activity_days.{{ column }}, {% endfor %}activity_days.activity_date

),

to_date as (

    select
        daily.*,
        {%- for milestone in funnel_milestones() %}
        sum(daily.{{ milestone }}) over cell_days as {{ milestone }}_to_date{% if not loop.last %},{% endif %}
        {%- endfor %}
    from daily
    window cell_days as (partition by {{ cell | join(', ') }} order by activity_date rows unbounded preceding)

),

final as (

    select
        -- keys
        {{ surrogate_key(['to_date.campaign_id', 'to_date.channel', 'to_date.template_id', 'to_date.variant',
                          'to_date.activity_date']) }} as campaign_cell_day_id,
        to_date.activity_date,
        to_date.campaign_id,
        campaigns.campaign_name,
        to_date.channel,
        to_date.template_id,
        to_date.variant,

        -- funnel: prospects whose first such event in the cell fell on this day
        {%- for milestone in funnel_milestones() %}
        to_date.{{ milestone }},
        {%- endfor %}

        -- rates of the cell to date (cumulative through this day), null while the denominator is 0
        {{ capped_ratio('to_date.delivered_to_date', 'to_date.sent_to_date') }} as delivery_rate,
        {{ capped_ratio('to_date.bounced_to_date', 'to_date.sent_to_date') }} as bounce_rate,
        {{ capped_ratio('to_date.opened_to_date', 'to_date.delivered_to_date') }} as open_rate,
        {{ capped_ratio('to_date.responded_to_date', 'to_date.delivered_to_date') }} as response_rate,
        {{ capped_ratio('to_date.interested_to_date', 'to_date.responded_to_date') }} as interest_rate,
        {{ capped_ratio('to_date.opted_out_to_date', 'to_date.delivered_to_date') }} as opt_out_rate,
        {{ capped_ratio('to_date.converted_to_date', 'to_date.sent_to_date') }} as conversion_rate,
        {{ capped_ratio('to_date.verified_to_date', 'to_date.converted_to_date') }} as verification_rate,

        -- cost of the day (US dollars)
        cast(round(cast(coalesce(costs.llm_cost_usd_micros, 0) / 10000.0 as numeric)) as bigint) as llm_cost_cents,
        coalesce(costs.incentive_cost_cents, 0) as incentive_cost_cents,
        cast(
            round(cast(coalesce(costs.llm_cost_usd_micros, 0) / 10000.0 as numeric))
            + coalesce(costs.incentive_cost_cents, 0) as bigint
        ) as cost_cents,
        'USD' as currency

    from to_date
    inner join campaigns
        on to_date.campaign_id = campaigns.campaign_id
    left join costs
        on to_date.activity_date = costs.cost_date
        {%- for column in cell %}
        and to_date.{{ column }} = costs.{{ column }}
        {%- endfor %}

)

select * from final
where {{ partition_window_filter('activity_date', var('funnel_restatement_days')) }}
