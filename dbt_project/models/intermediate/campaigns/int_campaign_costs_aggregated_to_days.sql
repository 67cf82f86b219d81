{#-
    What each campaign cost each UTC day: language-model usage (estimated, in millionths of a dollar) on the day
    of the call, and incentives on the day Payment issued them (only `issued` incentives are money spent).
    Messaging does not report fees, so none are counted.
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

costs as (

    select
        campaign_id,
        {{ utc_date('used_at') }} as cost_date,
        cost_usd_micros as llm_cost_usd_micros,
        0 as incentive_cost_cents
    from llm_usage

    union all

    select
        campaign_id,
        {{ utc_date('coalesce(status_updated_at, created_at)') }} as cost_date,
        0 as llm_cost_usd_micros,
        amount_cents as incentive_cost_cents
    from incentives

),

final as (

    select
        {{ surrogate_key(['campaign_id', 'cost_date']) }} as campaign_cost_day_id,
        campaign_id,
        cost_date,
        cast(sum(llm_cost_usd_micros) as bigint) as llm_cost_usd_micros,
        cast(sum(incentive_cost_cents) as bigint) as incentive_cost_cents

    from costs
    group by campaign_id, cost_date

)

select * from final
