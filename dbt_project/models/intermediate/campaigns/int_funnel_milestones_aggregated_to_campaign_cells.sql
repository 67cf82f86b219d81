{#-
    One row per campaign cell (campaign x channel x template x variant) and prospect the cell planned a message
    for, with the first time the prospect reached each funnel milestone through that cell:

    - targeted: a message was planned (any status); sent: Messaging accepted one. Both on the batch clock
      (`scheduled_at` = partition day + send time), so a day's sends belong to the day's partition even when a
      backfill sends them later;
    - delivered, bounced, opened: from the messages' status history;
    - responded (any reply but an auto-reply), interested, opted out (an opt-out reply, an unsubscribe or a
      complaint): replies are attributed to the message they answer;
    - converted, verified: to the conversion's last touch, so each conversion counts in exactly one cell.
-#}

with

messages as (

    select * from {{ ref('int_outreach_messages_joined_to_status_milestones') }}

),

responses as (

    select * from {{ ref('int_prospect_responses_attributed_to_messages') }}
    where outreach_message_id is not null

),

conversions as (

    select * from {{ ref('int_prospect_conversions_attributed_to_messages') }}

),

message_responses as (

    select
        outreach_message_id,
        min(received_at) filter (where intent <> 'auto_reply') as first_responded_at,
        min(received_at) filter (where intent = 'interested') as first_interested_at,
        min(received_at) filter (where intent = 'opt_out') as first_opt_out_reply_at

    from responses
    group by outreach_message_id

),

message_milestones as (

    select
        messages.campaign_id,
        messages.channel,
        messages.template_id,
        messages.variant,
        messages.prospect_id,
        messages.scheduled_at as targeted_at,
        case when messages.is_sent then messages.scheduled_at end as sent_at,
        messages.first_delivered_at as delivered_at,
        messages.first_bounced_at as bounced_at,
        messages.first_opened_at as opened_at,
        message_responses.first_responded_at as responded_at,
        message_responses.first_interested_at as interested_at,
        -- least() skips nulls: whichever opt-out came first
        least(message_responses.first_opt_out_reply_at, messages.first_unsubscribed_at) as opted_out_at,
        conversions.converted_at,
        conversions.verified_at

    from messages
    left join message_responses
        on messages.outreach_message_id = message_responses.outreach_message_id
    left join conversions
        on messages.outreach_message_id = conversions.last_touch_outreach_message_id

),

final as (

    select
        {{ surrogate_key(['campaign_id', 'channel', 'template_id', 'variant', 'prospect_id']) }}
            as campaign_cell_prospect_id,
        campaign_id,
        channel,
        template_id,
        variant,
        prospect_id,
        {%- for milestone in funnel_milestones() %}
        min({{ milestone }}_at) as first_{{ milestone }}_at{% if not loop.last %},{% endif %}
        {%- endfor %}

    from message_milestones
    group by campaign_id, channel, template_id, variant, prospect_id

)

select * from final
