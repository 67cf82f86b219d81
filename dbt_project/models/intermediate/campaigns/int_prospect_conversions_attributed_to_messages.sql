{#-
    One row per converted prospect that outreach reached before converting, with its first and last touch: the
    messages Messaging accepted up to the conversion, ordered by send time. Last touch is the rule of the
    ProspectConvertedEvent (`outreach.conversion.handlers.attribution`), so the marts and the event agree on which
    campaign converted whom. A prospect who signed up without any message first is not here (not a conversion
    of outreach).
-#}

with

prospects as (

    select * from {{ ref('stg_app__prospects') }}
    where converted_at is not null

),

messages as (

    select * from {{ ref('stg_app__outreach_messages') }}
    where messaging_message_id is not null

),

touches as (

    select
        prospects.prospect_id,
        prospects.converted_at,
        case when prospects.verification_status = 'verified' then prospects.verified_at end as verified_at,
        messages.outreach_message_id,
        messages.sent_at,
        row_number() over (
            partition by prospects.prospect_id
            order by messages.sent_at, messages.messaging_message_id
        ) as touch_from_first,
        row_number() over (
            partition by prospects.prospect_id
            order by messages.sent_at desc, messages.messaging_message_id desc
        ) as touch_from_last,
        count(*) over (partition by prospects.prospect_id) as touches

    from prospects
    inner join messages
        on prospects.prospect_id = messages.prospect_id
        and messages.sent_at <= prospects.converted_at

),

final as (

    select
        prospect_id,
        converted_at,
        verified_at,
        max(outreach_message_id) filter (where touch_from_first = 1) as first_touch_outreach_message_id,
        min(sent_at) as first_touch_sent_at,
        max(outreach_message_id) filter (where touch_from_last = 1) as last_touch_outreach_message_id,
        max(touches) as touches

    from touches
    group by prospect_id, converted_at, verified_at

)

select * from final
