{#-
    The Dagster partition window of a run, from `--vars` (orchestration/assets/dbt.py passes `start_date`
    inclusive and `end_date` exclusive). Incremental models use it twice:

    - `partition_window_filter(column)` in their SQL, to select only the window's days;
    - `delete_partition_window(column)` as a pre-hook, to delete the window's days from the existing table first,
      so a day whose sources are now empty does not keep its old rows (delete+insert alone only replaces the days
      present in the new batch).

    Both apply only on an incremental run with both vars set; otherwise the filter is `true` (every day) and the
    delete does nothing. The vars must be ISO dates (YYYY-MM-DD): anything else fails the run before any SQL runs.

    `lookback_days` widens the window backwards: facts that arrive late (a reply, a sign-up or a verification
    recorded days after the day it belongs to) restate the days they fall on at the next run. The rows of a
    day still depend only on the sources, so re-running any window gives the same rows.
-#}

{% macro partition_window() -%}
    {%- set start_date = var('start_date', none) -%}
    {%- set end_date = var('end_date', none) -%}
    {%- if start_date is none and end_date is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- if start_date is none or end_date is none -%}
        {{ exceptions.raise_compiler_error(
            "Pass both start_date and end_date in --vars (got start_date=" ~ start_date ~ ", end_date=" ~ end_date ~ ")"
        ) }}
    {%- endif -%}
    {%- set bounds = [] -%}
    {%- for value in [start_date, end_date] -%}
        {%- set text = value | string -%}
        {%- if not modules.re.match('^[0-9]{4}-[0-9]{2}-[0-9]{2}$', text) -%}
            {{ exceptions.raise_compiler_error("Partition vars must be ISO dates (YYYY-MM-DD), got " ~ text) }}
        {%- endif -%}
        {%- do bounds.append(text) -%}
    {%- endfor -%}
    {{ return({'start_date': bounds[0], 'end_date': bounds[1]}) }}
{%- endmacro %}


{% macro partition_window_filter(column='partition_date', lookback_days=0) -%}
    {%- set window = partition_window() -%}
    {%- if is_incremental() and window is not none -%}
        {{ column }} >= cast('{{ window.start_date }}' as date) - {{ lookback_days | int }}
        and {{ column }} < cast('{{ window.end_date }}' as date)
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}


{% macro delete_partition_window(column='partition_date', lookback_days=0) -%}
    {%- set window = partition_window() -%}
    {%- if is_incremental() and window is not none -%}
        delete from {{ this }} where {{ partition_window_filter(column, lookback_days) }}
    {%- endif -%}
{%- endmacro %}
