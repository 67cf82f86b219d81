with

source as (

    select * from {{ source('project_management', 'regional_needs') }}

),

final as (

    select
        -- keys
        {{ surrogate_key(['partition_date', 'specialty', 'region']) }} as regional_need_id,

        -- attributes
        specialty,
        region,
        unfulfilled_projects,
        median_days_unfulfilled,

        -- ingestion
        partition_date,
        fetched_at

    from source

)

select * from final
