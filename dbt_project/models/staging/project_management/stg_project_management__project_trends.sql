with

source as (

    select * from {{ source('project_management', 'project_trends') }}

),

final as (

    select
        -- keys
        {{ surrogate_key(['partition_date', 'date', 'specialty', 'region']) }} as project_trend_id,

        -- attributes
        date as created_date,
        specialty,
        region,
        projects_created,

        -- ingestion
        partition_date,
        fetched_at

    from source

)

select * from final
