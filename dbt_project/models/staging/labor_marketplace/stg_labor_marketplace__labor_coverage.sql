with

source as (

    select * from {{ source('labor_marketplace', 'labor_coverage') }}

),

final as (

    select
        -- keys
        {{ surrogate_key(['partition_date', 'specialty', 'region']) }} as labor_coverage_id,

        -- attributes
        specialty,
        region,
        active_contractors,
        avg_response_hours,
        coverage_ratio,

        -- ingestion
        partition_date,
        fetched_at

    from source

)

select * from final
