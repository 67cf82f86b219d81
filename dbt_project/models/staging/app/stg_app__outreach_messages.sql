with

source as (

    select * from {{ source('app', 'outreach_messages') }}

),

final as (

    select
        -- keys
        idempotency_key as outreach_message_id,
        message_id as messaging_message_id,
        prospect_id,
        campaign_id,

        -- attributes
        step,
        channel,
        variant,
        template_id,
        composer,
        status as message_status,
        error_code,
        sent_at is not null as is_sent,

        -- timestamps
        batch_date,
        scheduled_at,
        sent_at,
        status_updated_at,
        created_at

    from source

)

select * from final
