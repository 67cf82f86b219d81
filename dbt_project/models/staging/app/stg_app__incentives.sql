with

source as (

    select * from {{ source('app', 'incentives') }}

),

final as (

    select
        -- keys
        idempotency_key as incentive_request_id,
        incentive_id,
        prospect_id,
        campaign_id,

        -- attributes
        kind as incentive_kind,
        amount_cents,
        currency,
        status as incentive_status,
        error_code,

        -- timestamps
        created_at,
        status_updated_at

    from source

)

select * from final
