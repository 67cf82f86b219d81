{#-
    One row per golden prospect: who it is (pseudonymously), what we know of it and how well, where it stands
    and what outreach did with it. No personal data: contact details appear only as `has_*` flags. Rebuilt
    whole on every run (a prospect's row changes with every status, score and message).
-#}

with

prospects as (

    select * from {{ ref('stg_app__prospects') }}

),

scores as (

    select * from {{ ref('stg_app__prospect_scores') }}

),

contacts as (

    select * from {{ ref('int_outreach_contacts_aggregated_to_prospects') }}

),

conversions as (

    select * from {{ ref('int_prospect_conversions_attributed_to_messages') }}

),

field_confidence as (

    select
        prospects.prospect_id,
        count(confidence.value) as fields_with_confidence,
        avg(confidence.value::double precision) as avg_field_confidence,
        min(confidence.value::double precision) as min_field_confidence
    from prospects
    cross join lateral jsonb_each_text(prospects.field_confidence) as confidence
    group by prospects.prospect_id

),

final as (

    select
        -- keys
        prospects.prospect_id,

        -- market
        prospects.specialties,
        prospects.specialties[1] as primary_specialty,
        coalesce(cardinality(prospects.specialties), 0) as specialty_count,
        prospects.region,
        prospects.state,
        prospects.city,
        prospects.timezone,

        -- lifecycle
        prospects.lifecycle_status,
        prospects.status_changed_at,
        prospects.discovered_at,

        -- discovery and data quality
        prospects.sources,
        coalesce(cardinality(prospects.sources), 0) as source_count,
        prospects.source_record_count,
        prospects.is_referred,
        prospects.has_business_name,
        prospects.has_contact_name,
        prospects.has_email,
        prospects.has_phone,
        prospects.has_street,
        prospects.has_website,
        prospects.is_email_valid,
        prospects.is_phone_valid,
        prospects.is_sms_eligible,
        prospects.phone_line_type,
        prospects.has_license,
        prospects.license_state,
        prospects.license_status,
        prospects.license_expires_on,
        prospects.license_age_years,
        prospects.business_type,
        prospects.rating,
        prospects.review_count,
        coalesce(field_confidence.fields_with_confidence, 0) as fields_with_confidence,
        cast(round(cast(field_confidence.avg_field_confidence as numeric), 4) as double precision)
            as avg_field_confidence,
        field_confidence.min_field_confidence,

        -- latest score
        scores.score,
        scores.model_version as score_model_version,
        scores.scorer,
        scores.priority as score_priority,
        scores.supply_gap as score_supply_gap,
        scores.scored_at,

        -- contact history
        coalesce(contacts.messages_planned, 0) as messages_planned,
        coalesce(contacts.messages_sent, 0) as messages_sent,
        coalesce(contacts.messages_delivered, 0) as messages_delivered,
        coalesce(contacts.messages_bounced, 0) as messages_bounced,
        coalesce(contacts.messages_opened, 0) as messages_opened,
        coalesce(contacts.campaigns_targeted, 0) as campaigns_targeted,
        coalesce(contacts.campaigns_contacted, 0) as campaigns_contacted,
        contacts.first_contacted_at,
        contacts.last_contacted_at,
        coalesce(contacts.replies, 0) as replies,
        coalesce(contacts.interested_replies, 0) as interested_replies,
        contacts.first_replied_at,
        contacts.last_reply_intent,
        contacts.first_suppressed_at is not null as is_suppressed,
        contacts.first_suppressed_at,

        -- outcome
        prospects.has_user_account,
        prospects.converted_at,
        conversions.prospect_id is not null as is_converted_by_outreach,
        conversions.touches as touches_before_conversion,
        prospects.verification_status,
        prospects.verified_at

    from prospects
    left join scores
        on prospects.prospect_id = scores.prospect_id
    left join contacts
        on prospects.prospect_id = contacts.prospect_id
    left join conversions
        on prospects.prospect_id = conversions.prospect_id
    left join field_confidence
        on prospects.prospect_id = field_confidence.prospect_id

)

select * from final
