with

open_projects as (

    select * from {{ ref('stg_project_management__open_projects') }}

),

aggregated as (

    select
        partition_date,
        specialty,
        region,
        count(*) as listed_open_projects,
        count(*) filter (where bids_count = 0) as open_projects_without_bids,
        avg((budget_min_cents + budget_max_cents) / 2.0) as avg_open_budget_cents

    from open_projects
    where project_status = 'open'
    group by partition_date, specialty, region

),

final as (

    select
        -- keys
        {{ surrogate_key(['partition_date', 'specialty', 'region']) }} as specialty_region_day_id,
        partition_date,
        specialty,
        region,

        -- measures
        cast(listed_open_projects as integer) as listed_open_projects,
        cast(open_projects_without_bids as integer) as open_projects_without_bids,
        cast(round(avg_open_budget_cents) as bigint) as avg_open_budget_cents

    from aggregated

)

select * from final
