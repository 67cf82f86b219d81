with

source as (

    select * from {{ source('social', 'contractor_network') }}

),

final as (

    select
        -- keys
        {{ surrogate_key(['partition_date', 'user_id']) }} as contractor_network_id,

        -- attributes
        user_id,
        connections_count,
        referrals_made,
        referrals_converted,

        -- ingestion
        partition_date,
        fetched_at

    from source

)

select * from final
