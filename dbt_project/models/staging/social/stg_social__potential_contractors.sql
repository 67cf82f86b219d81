with

source as (

    select * from {{ source('social', 'potential_contractors') }}

),

final as (

    select
        -- keys
        {{ surrogate_key(['partition_date', 'candidate_id']) }} as potential_contractor_id,

        -- attributes
        candidate_id,
        business_name is not null as has_business_name,
        email_enc is not null as has_email,
        phone_enc is not null as has_phone,
        specialty_hint,
        region,
        state,
        city,
        referred_by_user_id,
        relationship,
        first_seen_at,

        -- ingestion
        partition_date,
        fetched_at

    from source

)

select * from final
