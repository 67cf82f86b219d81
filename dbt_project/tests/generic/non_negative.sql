{#-
    Counts, amounts in cents and ratios from the InstaBids contract are never negative (`minimum: 0`): a negative
    value means the landing or a cast went wrong. Nulls pass (combine with not_null where a value is required).
-#}
{% test non_negative(model, column_name) %}

select {{ column_name }}
from {{ model }}
where {{ column_name }} < 0

{% endtest %}
