{#-
    A deterministic text key from several columns (md5 of their text values joined by '-', nulls made explicit),
    like dbt_utils.generate_surrogate_key, which we cannot install offline. Staging keys are md5(partition_date +
    the endpoint's key columns), so the same item fetched on two days gives two rows with two keys.
-#}
{% macro surrogate_key(columns) -%}
    md5(
        {%- for column in columns %}
        coalesce(cast({{ column }} as text), '_null_')
        {%- if not loop.last %} || '-' ||{% endif %}
        {%- endfor %}
    )
{%- endmacro %}
