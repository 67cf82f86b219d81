with

source as (

    select * from {{ source('app', 'prospect_scores') }}

),

final as (

    select
        -- keys
        prospect_id,

        -- attributes
        score,
        model_version,
        scorer,
        supply_gap,
        priority,

        -- timestamps
        scored_on,
        scored_at

    from source

)

select * from final
