{#-
    One row per prospect and grouping it belongs to, for conversion metrics by specialty, region, source,
    campaign and channel. The inbound API reads it (`integrations/api/queries.py`: the columns and their meaning
    are its contract) and counts distinct prospects per group for a cohort of `prospect_created_at`.

    - specialty, region, source: every golden prospect, once per specialty and source it has; contacted = outreach
      sent it a message; converted = it converted after one (a conversion of outreach, as attributed by
      int_prospect_conversions_attributed_to_messages); days from its first message to the conversion.
    - campaign, channel: the campaigns and channels that planned a message for it; contacted = a message of that
      campaign (channel) was sent; converted = the conversion's last touch was in it; days from the group's first
      message to the conversion.
-#}

with

prospects as (

    select * from {{ ref('stg_app__prospects') }}

),

messages as (

    select * from {{ ref('stg_app__outreach_messages') }}

),

conversions as (

    select * from {{ ref('int_prospect_conversions_attributed_to_messages') }}

),

contacted as (

    select prospect_id
    from messages
    where is_sent
    group by prospect_id

),

last_touches as (

    select conversions.prospect_id, conversions.converted_at, messages.campaign_id, messages.channel
    from conversions
    inner join messages
        on conversions.last_touch_outreach_message_id = messages.outreach_message_id

),

prospect_groups as (

    select prospect_id, 'specialty' as dimension, unnest(specialties) as group_value
    from prospects

    union

    select prospect_id, 'region' as dimension, region as group_value
    from prospects
    where region is not null

    union

    select prospect_id, 'source' as dimension, unnest(sources) as group_value
    from prospects

),

prospect_level as (

    select
        prospect_groups.prospect_id,
        prospect_groups.dimension,
        prospect_groups.group_value,
        contacted.prospect_id is not null as is_contacted,
        conversions.prospect_id is not null as is_converted,
        extract(epoch from conversions.converted_at - conversions.first_touch_sent_at) / 86400.0 as days_to_convert

    from prospect_groups
    left join contacted
        on prospect_groups.prospect_id = contacted.prospect_id
    left join conversions
        on prospect_groups.prospect_id = conversions.prospect_id

),

message_groups as (

    select prospect_id, 'campaign' as dimension, campaign_id::text as group_value, is_sent, sent_at
    from messages

    union all

    select prospect_id, 'channel' as dimension, channel as group_value, is_sent, sent_at
    from messages

),

message_level as (

    select
        message_groups.prospect_id,
        message_groups.dimension,
        message_groups.group_value,
        bool_or(message_groups.is_sent) as is_contacted,
        min(message_groups.sent_at) as first_sent_at

    from message_groups
    group by message_groups.prospect_id, message_groups.dimension, message_groups.group_value

),

group_level as (

    select
        message_level.prospect_id,
        message_level.dimension,
        message_level.group_value,
        message_level.is_contacted,
        last_touches.prospect_id is not null as is_converted,
        extract(epoch from last_touches.converted_at - message_level.first_sent_at) / 86400.0 as days_to_convert

    from message_level
    left join last_touches
        on message_level.prospect_id = last_touches.prospect_id
        and message_level.group_value = case message_level.dimension
            when 'campaign' then last_touches.campaign_id::text
            else last_touches.channel
        end

),

final as (

    select
        {{ surrogate_key(['groups.prospect_id', 'groups.dimension', 'groups.group_value']) }} as prospect_group_id,
        groups.prospect_id,
        prospects.discovered_at as prospect_created_at,
        groups.dimension,
        groups.group_value,
        groups.is_contacted,
        groups.is_converted,
        cast(case when groups.is_converted then groups.days_to_convert end as double precision) as days_to_convert

    from (
        select * from prospect_level
        union all
        select * from group_level
    ) as groups
    inner join prospects
        on groups.prospect_id = prospects.prospect_id

)

select * from final
