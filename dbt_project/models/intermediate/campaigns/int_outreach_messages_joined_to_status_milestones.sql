{#-
    One row per outreach message with the first time it reached each delivery milestone. The status history
    (appended by a trigger since migration 0012) is read together with the message's current status, so a
    message older than the history still counts with what is known of it.
-#}

with

messages as (

    select * from {{ ref('stg_app__outreach_messages') }}

),

status_changes as (

    select * from {{ ref('stg_app__outreach_message_status_changes') }}

),

statuses as (

    select outreach_message_id, message_status, changed_at from status_changes

    union all

    select outreach_message_id, message_status, status_updated_at as changed_at from messages

),

milestones as (

    select
        outreach_message_id,
        -- a later engagement status implies the message arrived
        min(changed_at) filter (
            where message_status in ('delivered', 'opened', 'clicked', 'replied', 'complained', 'unsubscribed')
        ) as first_delivered_at,
        min(changed_at) filter (where message_status = 'bounced') as first_bounced_at,
        -- a reply proves the message was read (and SMS have no open tracking)
        min(changed_at) filter (where message_status in ('opened', 'clicked', 'replied')) as first_opened_at,
        min(changed_at) filter (where message_status in ('unsubscribed', 'complained')) as first_unsubscribed_at

    from statuses
    group by outreach_message_id

),

final as (

    select
        messages.outreach_message_id,
        messages.messaging_message_id,
        messages.prospect_id,
        messages.campaign_id,
        messages.channel,
        messages.template_id,
        messages.variant,
        messages.step,
        messages.message_status,
        messages.is_sent,
        messages.scheduled_at,
        messages.sent_at,
        messages.created_at,
        milestones.first_delivered_at,
        milestones.first_bounced_at,
        milestones.first_opened_at,
        milestones.first_unsubscribed_at

    from messages
    left join milestones
        on messages.outreach_message_id = milestones.outreach_message_id

)

select * from final
