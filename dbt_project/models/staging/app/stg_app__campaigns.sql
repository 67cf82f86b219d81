with

source as (

    select * from {{ source('app', 'campaigns') }}

),

final as (

    select
        -- keys
        campaign_id,

        -- attributes
        title as campaign_name,
        status as campaign_status,
        channels,
        channels[1] as primary_channel,
        daily_cap,
        has_incentive,

        -- timestamps
        created_at,
        updated_at

    from source

)

select * from final
