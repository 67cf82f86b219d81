{#-
    Payment trends of one fetch are monthly rows; each partition day needs three of them per specialty and
    region: the partition day's own month (month to date as fetched), the month before it, and the one before
    that (for a month-over-month growth of complete months).
-#}

with

payment_trends as (

    select * from {{ ref('stg_payment__payment_trends') }}

),

months_placed as (

    select
        partition_date,
        specialty,
        region,
        payment_month,
        projects_paid,
        total_volume_cents,
        case payment_month
            when cast(date_trunc('month', partition_date) as date) then 'month_to_date'
            when cast(date_trunc('month', partition_date) - interval '1 month' as date) then 'prev_month'
            when cast(date_trunc('month', partition_date) - interval '2 months' as date) then 'month_before_prev'
        end as month_slot

    from payment_trends

),

pivoted as (

    select
        partition_date,
        specialty,
        region,
        sum(projects_paid) filter (where month_slot = 'month_to_date') as projects_paid_month_to_date,
        sum(total_volume_cents) filter (where month_slot = 'month_to_date') as payment_volume_month_to_date_cents,
        sum(projects_paid) filter (where month_slot = 'prev_month') as projects_paid_prev_month,
        sum(total_volume_cents) filter (where month_slot = 'prev_month') as payment_volume_prev_month_cents,
        sum(total_volume_cents) filter (
            where month_slot = 'month_before_prev'
        ) as payment_volume_month_before_prev_cents

    from months_placed
    where month_slot is not null
    group by partition_date, specialty, region

),

final as (

    select
        -- keys
        {{ surrogate_key(['partition_date', 'specialty', 'region']) }} as specialty_region_day_id,
        partition_date,
        specialty,
        region,

        -- measures (null: the fetch had no row for the cell and month)
        cast(projects_paid_month_to_date as integer) as projects_paid_month_to_date,
        cast(payment_volume_month_to_date_cents as bigint) as payment_volume_month_to_date_cents,
        cast(projects_paid_prev_month as integer) as projects_paid_prev_month,
        cast(payment_volume_prev_month_cents as bigint) as payment_volume_prev_month_cents,
        cast(payment_volume_month_before_prev_cents as bigint) as payment_volume_month_before_prev_cents

    from pivoted

)

select * from final
