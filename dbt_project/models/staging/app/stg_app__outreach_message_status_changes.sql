with

source as (

    select * from {{ source('app', 'outreach_message_status_changes') }}

),

final as (

    select
        -- keys
        change_id as outreach_message_status_change_id,
        idempotency_key as outreach_message_id,

        -- attributes
        status as message_status,

        -- timestamps
        changed_at

    from source

)

select * from final
