with

source as (

    select * from {{ source('payment', 'payment_trends') }}

),

final as (

    select
        -- keys
        {{ surrogate_key(['partition_date', 'period', 'specialty', 'region']) }} as payment_trend_id,

        -- attributes
        to_date(period, 'YYYY-MM') as payment_month,
        specialty,
        region,
        total_volume_cents,
        currency,
        projects_paid,

        -- ingestion
        partition_date,
        fetched_at

    from source

)

select * from final
