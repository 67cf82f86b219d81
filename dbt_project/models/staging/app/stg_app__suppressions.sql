with

source as (

    select * from {{ source('app', 'suppressions') }}

),

final as (

    select
        -- keys (the contact's blind index is the table's key and is never selected)
        prospect_id,

        -- attributes
        contact_kind,
        reason as suppression_reason,

        -- timestamps
        created_at as suppressed_at

    from source

)

select * from final
