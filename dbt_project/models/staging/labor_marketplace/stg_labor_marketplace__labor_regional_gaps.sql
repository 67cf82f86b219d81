with

source as (

    select * from {{ source('labor_marketplace', 'labor_regional_gaps') }}

),

final as (

    select
        -- keys
        {{ surrogate_key(['partition_date', 'specialty', 'region']) }} as labor_regional_gap_id,

        -- attributes
        specialty,
        region,
        contractors_needed,
        gap_severity,

        -- ingestion
        partition_date,
        fetched_at

    from source

)

select * from final
