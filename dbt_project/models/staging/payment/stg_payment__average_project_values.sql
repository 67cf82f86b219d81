with

source as (

    select * from {{ source('payment', 'average_project_values') }}

),

final as (

    select
        -- keys
        {{ surrogate_key(['partition_date', 'specialty', 'region']) }} as average_project_value_id,

        -- attributes
        specialty,
        region,
        avg_project_value_cents,
        median_project_value_cents,
        currency,
        sample_size,

        -- ingestion
        partition_date,
        fetched_at

    from source

)

select * from final
