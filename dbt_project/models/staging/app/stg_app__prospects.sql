with

source as (

    select * from {{ source('app', 'prospects') }}

),

final as (

    select
        -- keys
        prospect_id,

        -- lifecycle
        status as lifecycle_status,
        status_changed_at,

        -- what is known, never the contact data itself
        business_name is not null as has_business_name,
        contact_name_enc is not null as has_contact_name,
        email_enc is not null as has_email,
        phone_enc is not null as has_phone,
        street is not null as has_street,
        website_domain is not null as has_website,
        license_number is not null as has_license,
        referred_by_user_id is not null as is_referred,
        user_id is not null as has_user_account,

        -- location (of the business)
        city,
        state,
        region,
        timezone,

        -- enrichment
        is_email_valid,
        is_phone_valid,
        is_sms_eligible,
        phone_line_type,
        license_state,
        license_status,
        license_expires_on,
        license_age_years,
        business_type,
        specialties,
        rating,
        review_count,
        sources,
        source_record_count,
        field_confidence,

        -- outcome
        converted_at,
        verification_status,
        verified_at,

        -- timestamps
        discovered_at,
        updated_at

    from source

)

select * from final
