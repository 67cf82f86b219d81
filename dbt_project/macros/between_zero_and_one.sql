{#-
    Generic test: a ratio or index that is defined on [0, 1] (e.g. the supply-gap index and its components) stays
    there. Nulls pass (an unknown component is allowed; combine with not_null where a value is required).
-#}
{% test between_zero_and_one(model, column_name) %}

select {{ column_name }}
from {{ model }}
where {{ column_name }} < 0 or {{ column_name }} > 1

{% endtest %}
