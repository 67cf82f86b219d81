{#-
    Use a model's custom schema as-is (`staging`, not `<target_schema>_staging`), so every environment has the
    schemas the architecture names; models without one fall back to the target's schema.
-#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
