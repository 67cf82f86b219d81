{#-
    The UTC calendar day of a timestamptz. A bare `::date` would use the session's time zone, so a dbt run from
    a machine in another zone would move events across days; the marts' days are UTC days (like the partitions).
-#}
{% macro utc_date(column) -%}
    cast(({{ column }} at time zone 'UTC') as date)
{%- endmacro %}
