{#-
    Demand and supply per specialty x region x day, with the supply-gap index and the opportunity value
    (definitions and reasons: docs/marts.md).

    Incremental, delete+insert by day: a run for a partition window selects only the window's days, the pre-hook
    deletes them from the table first, and the new rows go in, so re-running a day gives the same rows. A run
    without the window vars (ad hoc) rebuilds every day in the intermediate model the same way.
-#}

{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key=['partition_date'],
        on_schema_change='append_new_columns',
        pre_hook="{{ delete_partition_window('partition_date') }}",
    )
}}

{#- Weights of the supply-gap components: they sum to 1, so the index is a weighted mean in [0, 1]. The labor
    marketplace's trailing-year coverage (and the shortfall and severity it derives from it) weighs most: the
    instantaneous project counts behind demand_pressure and wait_pressure are a handful per cell and day, mostly
    counting noise (docs/marts.md). -#}
{%- set supply_gap_weights = {
    'demand_pressure': 0.10,
    'coverage_shortfall': 0.50,
    'contractor_shortfall': 0.15,
    'gap_severity_weight': 0.15,
    'wait_pressure': 0.10,
} -%}
{#- Days unfulfilled at which the wait component reaches 0.5 (a week without an award). -#}
{%- set wait_half_saturation_days = 7 -%}

with

specialty_region_days as (

    select * from {{ ref('int_specialty_region_days_joined') }}
    where {{ partition_window_filter('partition_date') }}

),

-- each component maps one signal to [0, 1]: 0 = no sign of a gap, 1 = the worst the signal can say; null = the
-- signal's source did not report the cell that day
components as (

    select
        *,

        -- demand above supply: 0 while demand_index <= 1 (balanced or over-supplied), 0.5 at 2, -> 1
        case
            when demand_index is not null then 1.0 - 1.0 / greatest(demand_index, 1.0)
        end as demand_pressure,

        -- capacity short of demand: 0 at coverage_ratio >= 1, 1 at no coverage
        case
            when coverage_ratio is not null then 1.0 - least(greatest(coverage_ratio, 0.0), 1.0)
        end as coverage_shortfall,

        -- share of the needed workforce that is missing: needed / (needed + active)
        case
            when contractors_needed = 0 then 0.0
            when contractors_needed > 0 and active_contractors is not null
                then contractors_needed::double precision / (contractors_needed + greatest(active_contractors, 0))
        end as contractor_shortfall,

        -- the labor marketplace's own classification
        case gap_severity
            when 'none' then 0.0
            when 'low' then 0.25
            when 'medium' then 0.5
            when 'high' then 0.75
            when 'critical' then 1.0
        end as gap_severity_weight,

        -- how long projects wait for an award: d / (d + {{ wait_half_saturation_days }}), 0 without unfulfilled projects
        case
            when unfulfilled_projects = 0 then 0.0
            when unfulfilled_projects > 0 and median_days_unfulfilled is not null
                then greatest(median_days_unfulfilled, 0.0)
                    / (greatest(median_days_unfulfilled, 0.0) + {{ wait_half_saturation_days }})
        end as wait_pressure

    from specialty_region_days

),

-- weighted mean over the components present (the weights of missing ones are left out of the denominator)
indexed as (

    select
        *,
        (
            {%- for name, weight in supply_gap_weights.items() %}
            (case when {{ name }} is not null then {{ weight }} else 0 end){% if not loop.last %} +{% endif %}
            {%- endfor %}
        ) as present_weight,
        (
            {%- for name, weight in supply_gap_weights.items() %}
            {{ weight }} * coalesce({{ name }}, 0){% if not loop.last %} +{% endif %}
            {%- endfor %}
        ) as weighted_sum,
        (
            {%- for name in supply_gap_weights %}
            (case when {{ name }} is not null then 1 else 0 end){% if not loop.last %} +{% endif %}
            {%- endfor %}
        ) as supply_gap_components

    from components

),

scored as (

    select
        *,
        -- (greatest/least ignore nulls in Postgres: keep the null of "no component" out of the clipping)
        case
            when present_weight > 0
                then round(cast(least(greatest(weighted_sum / present_weight, 0.0), 1.0) as numeric), 4)
        end as supply_gap_index_numeric

    from indexed

),

final as (

    select
        -- keys
        specialty_region_day_id,
        partition_date,
        specialty,
        region,

        -- demand (project management)
        projects_created,
        open_projects,
        avg_bids_per_project,
        demand_index,
        listed_open_projects,
        open_projects_without_bids,
        avg_open_budget_cents,
        unfulfilled_projects,
        median_days_unfulfilled,

        -- supply (labor marketplace)
        active_contractors,
        avg_response_hours,
        coverage_ratio,
        contractors_needed,
        gap_severity,

        -- value (payment)
        currency,
        avg_project_value_cents,
        median_project_value_cents,
        project_value_sample_size,
        projects_paid_month_to_date,
        payment_volume_month_to_date_cents,
        projects_paid_prev_month,
        payment_volume_prev_month_cents,
        cast(
            round(
                cast(
                    payment_volume_prev_month_cents::double precision
                    / nullif(payment_volume_month_before_prev_cents, 0) - 1.0
                    as numeric
                ),
                4
            ) as double precision
        ) as payment_volume_prev_month_growth,

        -- supply-gap index and its components
        cast(round(cast(demand_pressure as numeric), 4) as double precision) as demand_pressure,
        cast(round(cast(coverage_shortfall as numeric), 4) as double precision) as coverage_shortfall,
        cast(round(cast(contractor_shortfall as numeric), 4) as double precision) as contractor_shortfall,
        cast(gap_severity_weight as double precision) as gap_severity_weight,
        cast(round(cast(wait_pressure as numeric), 4) as double precision) as wait_pressure,
        cast(supply_gap_components as integer) as supply_gap_components,
        cast(supply_gap_index_numeric as double precision) as supply_gap_index,

        -- expected unserved project value: unfulfilled (else open) projects x median value x supply-gap index
        cast(
            round(
                coalesce(unfulfilled_projects, open_projects)
                * median_project_value_cents
                * supply_gap_index_numeric
            ) as bigint
        ) as opportunity_value_cents

    from scored

)

select * from final
