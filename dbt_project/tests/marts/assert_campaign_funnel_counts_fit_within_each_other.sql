{#-
    Summed over days, campaign_performance_daily counts distinct prospects, and every conversion follows a sent
    message: so per campaign sent <= audience, converted <= sent, verified <= converted. A violation means a
    prospect counted twice (a stale day left by an incremental run, a broken "first event" rule), and would let
    the CampaignPerformanceUpdatedEvent announce a conversion rate above 1.
-#}

select
    campaign_id,
    max(prospects_targeted) as prospects_targeted,
    sum(sent) as sent,
    sum(converted) as converted,
    sum(verified) as verified
from {{ ref('campaign_performance_daily') }}
group by campaign_id
having sum(sent) > max(prospects_targeted)
    or sum(converted) > sum(sent)
    or sum(verified) > sum(converted)
