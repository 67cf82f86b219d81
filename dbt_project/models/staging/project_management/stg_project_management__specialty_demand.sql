with

source as (

    select * from {{ source('project_management', 'specialty_demand') }}

),

final as (

    select
        -- keys
        {{ surrogate_key(['partition_date', 'specialty', 'region']) }} as specialty_demand_id,

        -- attributes
        specialty,
        region,
        open_projects,
        avg_bids_per_project,
        demand_index,

        -- ingestion
        partition_date,
        fetched_at

    from source

)

select * from final
