{#-
    Each campaign's daily costs split over its cells (channel x template x variant):

    - language-model usage is recorded per campaign and template: it is shared among that template's channels
      and variants in proportion to the messages the batches wrote that day (all-time proportions when the
      template wrote none that day). Usage of a template that never had a message cannot be placed in a cell and
      stays only in the campaign-level costs;
    - an issued incentive goes to the cell of the prospect's last message in the incentive's campaign sent
      before the conversion (the conversion's last touch).
-#}

with

llm_usage as (

    select * from {{ ref('stg_app__llm_usage') }}
    where campaign_id is not null

),

incentives as (

    select * from {{ ref('stg_app__incentives') }}
    where incentive_status = 'issued'

),

messages as (

    select * from {{ ref('stg_app__outreach_messages') }}

),

prospects as (

    select * from {{ ref('stg_app__prospects') }}

),

usage_days as (

    select
        campaign_id,
        template_id,
        {{ utc_date('used_at') }} as cost_date,
        sum(cost_usd_micros) as llm_cost_usd_micros
    from llm_usage
    group by campaign_id, template_id, {{ utc_date('used_at') }}

),

messages_by_day as (

    select campaign_id, template_id, channel, variant, {{ utc_date('created_at') }} as message_date,
        count(*) as messages
    from messages
    group by campaign_id, template_id, channel, variant, {{ utc_date('created_at') }}

),

messages_overall as (

    select campaign_id, template_id, channel, variant, count(*) as messages
    from messages
    group by campaign_id, template_id, channel, variant

),

usage_weights as (

    select usage_days.*, messages_by_day.channel, messages_by_day.variant, messages_by_day.messages
    from usage_days
    inner join messages_by_day
        on usage_days.campaign_id = messages_by_day.campaign_id
        and usage_days.template_id = messages_by_day.template_id
        and usage_days.cost_date = messages_by_day.message_date

    union all

    select usage_days.*, messages_overall.channel, messages_overall.variant, messages_overall.messages
    from usage_days
    inner join messages_overall
        on usage_days.campaign_id = messages_overall.campaign_id
        and usage_days.template_id = messages_overall.template_id
    where not exists (
        select 1 from messages_by_day
        where messages_by_day.campaign_id = usage_days.campaign_id
            and messages_by_day.template_id = usage_days.template_id
            and messages_by_day.message_date = usage_days.cost_date
    )

),

llm_costs as (

    select
        campaign_id,
        channel,
        template_id,
        variant,
        cost_date,
        llm_cost_usd_micros * messages::double precision
            / sum(messages) over (partition by campaign_id, template_id, cost_date) as llm_cost_usd_micros,
        0 as incentive_cost_cents
    from usage_weights

),

-- the cell of the prospect's last message in the incentive's campaign sent up to the conversion
incentive_touches as (

    select
        incentives.campaign_id,
        messages.channel,
        messages.template_id,
        messages.variant,
        {{ utc_date('coalesce(incentives.status_updated_at, incentives.created_at)') }} as cost_date,
        incentives.amount_cents,
        row_number() over (
            partition by incentives.incentive_request_id
            order by messages.sent_at desc, messages.messaging_message_id desc
        ) as recency

    from incentives
    inner join prospects
        on incentives.prospect_id = prospects.prospect_id
    inner join messages
        on messages.prospect_id = incentives.prospect_id
        and messages.campaign_id = incentives.campaign_id
        and messages.is_sent
        and (prospects.converted_at is null or messages.sent_at <= prospects.converted_at)

),

incentive_costs as (

    select
        campaign_id,
        channel,
        template_id,
        variant,
        cost_date,
        0 as llm_cost_usd_micros,
        amount_cents as incentive_cost_cents
    from incentive_touches
    where recency = 1

),

final as (

    select
        {{ surrogate_key(['campaign_id', 'channel', 'template_id', 'variant', 'cost_date']) }}
            as campaign_cell_cost_day_id,
        campaign_id,
        channel,
        template_id,
        variant,
        cost_date,
        sum(llm_cost_usd_micros)::double precision as llm_cost_usd_micros,
        cast(sum(incentive_cost_cents) as bigint) as incentive_cost_cents

    from (
        select * from llm_costs
        union all
        select * from incentive_costs
    ) as costs
    group by campaign_id, channel, template_id, variant, cost_date

)

select * from final
