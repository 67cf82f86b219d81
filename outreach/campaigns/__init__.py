"""Campaign management and delivery to Messaging.

- `models`: Campaign / Step / Variant / Targeting validated from `campaigns/*.yaml`; `seed`: YAML -> database.
- `selection`: targeted prospects by priority (score x supply gap); `eligibility`: pure send-time rules, a reason
  for every prospect left out; `variants`: Thompson sampling of A/B variants, reproducible per campaign and day.
- `composer`: the `MessageComposer` seam and the compliant `BasicComposer`.
- `delivery`: pending -> bulk send -> sent/rejected, exactly once per idempotency key; `batch.run_batch`: the one
  entry point of a daily batch; `incentives`: sign-up incentives through Payment.
"""

from outreach.campaigns.batch import BatchResult, batch_clock, run_batch
from outreach.campaigns.composer import BasicComposer, Composed, MessageComposer, ProspectFacts
from outreach.campaigns.eligibility import idempotency_key
from outreach.campaigns.models import Campaign, Step, Targeting, Variant, load_campaigns
from outreach.campaigns.seed import active_campaign_ids, load_campaign, seed_campaigns

__all__ = [
    "BasicComposer",
    "BatchResult",
    "Campaign",
    "Composed",
    "MessageComposer",
    "ProspectFacts",
    "Step",
    "Targeting",
    "Variant",
    "active_campaign_ids",
    "batch_clock",
    "idempotency_key",
    "load_campaign",
    "load_campaigns",
    "run_batch",
    "seed_campaigns",
]
