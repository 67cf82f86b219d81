{#-
    The milestones of the outreach funnel, in funnel order. Each is the time a prospect *first* reached it within
    a grouping (a campaign, or a campaign x channel x template x variant cell): `first_<milestone>_at` in
    `int_funnel_milestones_aggregated_to_campaign_cells`, a count per day in the campaign marts. One list, so the
    intermediate model and both marts cannot drift apart (definitions: docs/marts.md).
-#}
{% macro funnel_milestones() -%}
    {{ return(['targeted', 'sent', 'delivered', 'bounced', 'opened', 'responded', 'interested', 'opted_out',
               'converted', 'verified']) }}
{%- endmacro %}


{#-
    A rate on [0, 1], rounded to 4 decimals: null while the denominator is 0, capped at 1 (see docs/marts.md).
    (Not `least(1, x / nullif(d, 0))`: Postgres' least() skips nulls and would answer 1.)
-#}
{% macro capped_ratio(numerator, denominator) -%}
    case
        when {{ denominator }} > 0
            then cast(
                round(cast(least(1.0, ({{ numerator }})::double precision / {{ denominator }}) as numeric), 4)
                as double precision
            )
    end
{%- endmacro %}


{#-
    The body of a CTE with one row per `keys`, milestone and UTC day: how many prospects of `relation` (one row
    per keys x prospect, with `first_<milestone>_at` columns) reached the milestone for the first time that day.
    Summing a milestone's rows over days counts distinct prospects.
-#}
{% macro milestone_day_counts(relation, keys) -%}
    {%- for milestone in funnel_milestones() %}
    select
        {{ keys | join(', ') }},
        '{{ milestone }}' as milestone,
        {{ utc_date('first_' ~ milestone ~ '_at') }} as activity_date,
        count(*) as prospects
    from {{ relation }}
    where first_{{ milestone }}_at is not null
    group by {{ keys | join(', ') }}, {{ utc_date('first_' ~ milestone ~ '_at') }}
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
{%- endmacro %}


{#- Columns pivoting `milestone_day_counts` rows back to one count column per milestone (0 when none). -#}
{% macro milestone_count_columns(counts='milestone_counts') -%}
    {%- for milestone in funnel_milestones() %}
    cast(coalesce(sum({{ counts }}.prospects) filter (where {{ counts }}.milestone = '{{ milestone }}'), 0) as bigint)
        as {{ milestone }}{% if not loop.last %},{% endif %}
    {%- endfor %}
{%- endmacro %}
