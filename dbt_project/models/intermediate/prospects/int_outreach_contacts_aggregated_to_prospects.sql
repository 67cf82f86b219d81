{#- One row per prospect outreach planned a message for: how often and how it was contacted, and what it answered. -#}

with

messages as (

    select * from {{ ref('int_outreach_messages_joined_to_status_milestones') }}

),

responses as (

    select * from {{ ref('stg_app__prospect_responses') }}

),

suppressions as (

    select * from {{ ref('stg_app__suppressions') }}
    where prospect_id is not null

),

message_counts as (

    select
        prospect_id,
        count(*) as messages_planned,
        count(*) filter (where is_sent) as messages_sent,
        count(*) filter (where first_delivered_at is not null) as messages_delivered,
        count(*) filter (where first_bounced_at is not null) as messages_bounced,
        count(*) filter (where first_opened_at is not null) as messages_opened,
        count(distinct campaign_id) as campaigns_targeted,
        count(distinct campaign_id) filter (where is_sent) as campaigns_contacted,
        min(sent_at) as first_contacted_at,
        max(sent_at) as last_contacted_at
    from messages
    group by prospect_id

),

response_counts as (

    select
        prospect_id,
        count(*) as replies,
        count(*) filter (where intent = 'interested') as interested_replies,
        min(received_at) as first_replied_at,
        (array_agg(intent order by received_at desc, response_message_id desc))[1] as last_reply_intent
    from responses
    group by prospect_id

),

suppressed as (

    select prospect_id, min(suppressed_at) as first_suppressed_at
    from suppressions
    group by prospect_id

),

prospects as (

    select prospect_id from message_counts
    union
    select prospect_id from response_counts
    union
    select prospect_id from suppressed

),

final as (

    select
        prospects.prospect_id,
        coalesce(message_counts.messages_planned, 0) as messages_planned,
        coalesce(message_counts.messages_sent, 0) as messages_sent,
        coalesce(message_counts.messages_delivered, 0) as messages_delivered,
        coalesce(message_counts.messages_bounced, 0) as messages_bounced,
        coalesce(message_counts.messages_opened, 0) as messages_opened,
        coalesce(message_counts.campaigns_targeted, 0) as campaigns_targeted,
        coalesce(message_counts.campaigns_contacted, 0) as campaigns_contacted,
        message_counts.first_contacted_at,
        message_counts.last_contacted_at,
        coalesce(response_counts.replies, 0) as replies,
        coalesce(response_counts.interested_replies, 0) as interested_replies,
        response_counts.first_replied_at,
        response_counts.last_reply_intent,
        suppressed.first_suppressed_at

    from prospects
    left join message_counts
        on prospects.prospect_id = message_counts.prospect_id
    left join response_counts
        on prospects.prospect_id = response_counts.prospect_id
    left join suppressed
        on prospects.prospect_id = suppressed.prospect_id

)

select * from final
