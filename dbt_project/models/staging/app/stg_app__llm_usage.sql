with

source as (

    select * from {{ source('app', 'llm_usage') }}

),

final as (

    select
        -- keys
        usage_id as llm_usage_id,
        campaign_id,
        template_id,

        -- attributes
        model as llm_model,
        prompt_tokens,
        completion_tokens,
        prompt_tokens + completion_tokens as total_tokens,
        cost_usd_micros,
        outcome as usage_outcome,

        -- timestamps
        at as used_at

    from source

)

select * from final
