with

source as (

    select * from {{ source('app', 'prospect_responses') }}

),

final as (

    select
        -- keys
        message_id as response_message_id,
        prospect_id,
        campaign_id,
        in_reply_to_message_id as in_reply_to_messaging_message_id,

        -- attributes
        channel,
        intent,
        confidence as intent_confidence,
        analyzed_by,
        action as response_action,

        -- timestamps
        received_at,
        analyzed_at

    from source

)

select * from final
