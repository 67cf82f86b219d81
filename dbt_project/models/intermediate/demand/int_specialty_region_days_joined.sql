{#-
    One row per specialty x region x partition day, joining what every domain reported about the cell that day.

    Some endpoints omit a cell when its value is zero (project trends: no projects created; regional needs: no
    unfulfilled project; regional gaps: no contractor needed; payment trends: no payment that month). An omitted
    cell therefore counts zero, but only on a day the endpoint reported something at all: on a day it landed no
    rows the value stays null ("unknown"), so a missing source never passes for a quiet market.
-#}

with

specialty_demand as (

    select * from {{ ref('stg_project_management__specialty_demand') }}

),

project_trends as (

    select * from {{ ref('stg_project_management__project_trends') }}

),

regional_needs as (

    select * from {{ ref('stg_project_management__regional_needs') }}

),

open_projects as (

    select * from {{ ref('int_open_projects_aggregated_to_specialty_regions') }}

),

open_projects_listing as (

    select * from {{ ref('stg_project_management__open_projects') }}

),

labor_coverage as (

    select * from {{ ref('stg_labor_marketplace__labor_coverage') }}

),

labor_regional_gaps as (

    select * from {{ ref('stg_labor_marketplace__labor_regional_gaps') }}

),

average_project_values as (

    select * from {{ ref('stg_payment__average_project_values') }}

),

payment_trends as (

    select * from {{ ref('stg_payment__payment_trends') }}

),

payment_months as (

    select * from {{ ref('int_payment_trends_pivoted_to_specialty_regions') }}

),

-- the projects created on the partition day itself (the trends endpoint is fetched for that one day)
projects_created as (

    select
        partition_date,
        specialty,
        region,
        sum(projects_created) as projects_created

    from project_trends
    where created_date = partition_date
    group by partition_date, specialty, region

),

-- the days each zero-omitting endpoint landed at least one row
trends_days as (

    select distinct partition_date from project_trends

),

needs_days as (

    select distinct partition_date from regional_needs

),

gaps_days as (

    select distinct partition_date from labor_regional_gaps

),

listing_days as (

    select distinct partition_date from open_projects_listing

),

payment_days as (

    select
        partition_date,
        bool_or(payment_month = cast(date_trunc('month', partition_date) as date)) as has_month_to_date,
        bool_or(
            payment_month = cast(date_trunc('month', partition_date) - interval '1 month' as date)
        ) as has_prev_month,
        bool_or(
            payment_month = cast(date_trunc('month', partition_date) - interval '2 months' as date)
        ) as has_month_before_prev

    from payment_trends
    group by partition_date

),

-- every cell any domain reported on a day
spine as (

    select partition_date, specialty, region from specialty_demand
    union
    select partition_date, specialty, region from labor_coverage
    union
    select partition_date, specialty, region from regional_needs
    union
    select partition_date, specialty, region from labor_regional_gaps
    union
    select partition_date, specialty, region from projects_created
    union
    select partition_date, specialty, region from open_projects
    union
    select partition_date, specialty, region from average_project_values
    union
    select partition_date, specialty, region from payment_months

),

joined as (

    select
        spine.partition_date,
        spine.specialty,
        spine.region,

        -- project management
        case
            when trends_days.partition_date is not null then coalesce(projects_created.projects_created, 0)
        end as projects_created,
        specialty_demand.open_projects,
        specialty_demand.avg_bids_per_project,
        specialty_demand.demand_index,
        case
            when listing_days.partition_date is not null then coalesce(open_projects.listed_open_projects, 0)
        end as listed_open_projects,
        case
            when listing_days.partition_date is not null then coalesce(open_projects.open_projects_without_bids, 0)
        end as open_projects_without_bids,
        open_projects.avg_open_budget_cents,
        case
            when needs_days.partition_date is not null then coalesce(regional_needs.unfulfilled_projects, 0)
        end as unfulfilled_projects,
        regional_needs.median_days_unfulfilled,

        -- labor marketplace
        labor_coverage.active_contractors,
        labor_coverage.avg_response_hours,
        labor_coverage.coverage_ratio,
        case
            when gaps_days.partition_date is not null then coalesce(labor_regional_gaps.contractors_needed, 0)
        end as contractors_needed,
        case
            when gaps_days.partition_date is not null then coalesce(labor_regional_gaps.gap_severity, 'none')
        end as gap_severity,

        -- payment
        average_project_values.currency,
        average_project_values.avg_project_value_cents,
        average_project_values.median_project_value_cents,
        average_project_values.sample_size as project_value_sample_size,
        case
            when payment_days.has_month_to_date then coalesce(payment_months.projects_paid_month_to_date, 0)
        end as projects_paid_month_to_date,
        case
            when payment_days.has_month_to_date then coalesce(payment_months.payment_volume_month_to_date_cents, 0)
        end as payment_volume_month_to_date_cents,
        case
            when payment_days.has_prev_month then coalesce(payment_months.projects_paid_prev_month, 0)
        end as projects_paid_prev_month,
        case
            when payment_days.has_prev_month then coalesce(payment_months.payment_volume_prev_month_cents, 0)
        end as payment_volume_prev_month_cents,
        case
            when payment_days.has_month_before_prev
                then coalesce(payment_months.payment_volume_month_before_prev_cents, 0)
        end as payment_volume_month_before_prev_cents

    from spine
    left join specialty_demand
        on spine.partition_date = specialty_demand.partition_date
        and spine.specialty = specialty_demand.specialty
        and spine.region = specialty_demand.region
    left join projects_created
        on spine.partition_date = projects_created.partition_date
        and spine.specialty = projects_created.specialty
        and spine.region = projects_created.region
    left join regional_needs
        on spine.partition_date = regional_needs.partition_date
        and spine.specialty = regional_needs.specialty
        and spine.region = regional_needs.region
    left join open_projects
        on spine.partition_date = open_projects.partition_date
        and spine.specialty = open_projects.specialty
        and spine.region = open_projects.region
    left join labor_coverage
        on spine.partition_date = labor_coverage.partition_date
        and spine.specialty = labor_coverage.specialty
        and spine.region = labor_coverage.region
    left join labor_regional_gaps
        on spine.partition_date = labor_regional_gaps.partition_date
        and spine.specialty = labor_regional_gaps.specialty
        and spine.region = labor_regional_gaps.region
    left join average_project_values
        on spine.partition_date = average_project_values.partition_date
        and spine.specialty = average_project_values.specialty
        and spine.region = average_project_values.region
    left join payment_months
        on spine.partition_date = payment_months.partition_date
        and spine.specialty = payment_months.specialty
        and spine.region = payment_months.region
    left join trends_days on spine.partition_date = trends_days.partition_date
    left join needs_days on spine.partition_date = needs_days.partition_date
    left join gaps_days on spine.partition_date = gaps_days.partition_date
    left join listing_days on spine.partition_date = listing_days.partition_date
    left join payment_days on spine.partition_date = payment_days.partition_date

),

final as (

    select
        -- keys
        {{ surrogate_key(['partition_date', 'specialty', 'region']) }} as specialty_region_day_id,
        partition_date,
        specialty,
        region,

        -- project management
        cast(projects_created as integer) as projects_created,
        open_projects,
        avg_bids_per_project,
        demand_index,
        cast(listed_open_projects as integer) as listed_open_projects,
        cast(open_projects_without_bids as integer) as open_projects_without_bids,
        avg_open_budget_cents,
        unfulfilled_projects,
        median_days_unfulfilled,

        -- labor marketplace
        active_contractors,
        avg_response_hours,
        coverage_ratio,
        contractors_needed,
        gap_severity,

        -- payment
        currency,
        avg_project_value_cents,
        median_project_value_cents,
        project_value_sample_size,
        cast(projects_paid_month_to_date as integer) as projects_paid_month_to_date,
        cast(payment_volume_month_to_date_cents as bigint) as payment_volume_month_to_date_cents,
        cast(projects_paid_prev_month as integer) as projects_paid_prev_month,
        cast(payment_volume_prev_month_cents as bigint) as payment_volume_prev_month_cents,
        cast(payment_volume_month_before_prev_cents as bigint) as payment_volume_month_before_prev_cents

    from joined

)

select * from final
