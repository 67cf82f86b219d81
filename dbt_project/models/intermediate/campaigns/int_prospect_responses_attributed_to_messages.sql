{#-
    One row per analyzed reply with the outreach message it answers: the threaded message when the reply names
    it, else the prospect's latest sent message in the reply's campaign (the rule the reply handler itself uses
    to pick the campaign). Replies outside any campaign have no message.
-#}

with

responses as (

    select * from {{ ref('stg_app__prospect_responses') }}

),

messages as (

    select * from {{ ref('stg_app__outreach_messages') }}

),

-- the prospect's latest sent message in the reply's campaign (a join, not a lateral lookup: one pass at any scale)
latest_in_campaign as (

    select
        responses.response_message_id,
        messages.outreach_message_id,
        row_number() over (
            partition by responses.response_message_id
            order by messages.sent_at desc, messages.outreach_message_id desc
        ) as recency

    from responses
    inner join messages
        on messages.prospect_id = responses.prospect_id
        and messages.campaign_id = responses.campaign_id
        and messages.is_sent

),

final as (

    select
        responses.response_message_id,
        responses.prospect_id,
        responses.intent,
        responses.received_at,
        coalesce(threaded.outreach_message_id, latest.outreach_message_id) as outreach_message_id

    from responses
    left join messages as threaded
        on responses.in_reply_to_messaging_message_id = threaded.messaging_message_id
        and responses.prospect_id = threaded.prospect_id
    left join latest_in_campaign as latest
        on responses.response_message_id = latest.response_message_id
        and latest.recency = 1

)

select * from final
