with

source as (

    select * from {{ source('project_management', 'open_projects') }}

),

final as (

    select
        -- keys
        {{ surrogate_key(['partition_date', 'project_id']) }} as open_project_id,

        -- attributes
        project_id,
        title,
        specialty,
        region,
        state,
        city,
        budget_min_cents,
        budget_max_cents,
        currency,
        status as project_status,
        bids_count,
        created_at,
        bid_deadline as bid_deadline_at,

        -- ingestion
        partition_date,
        fetched_at

    from source

)

select * from final
