"""The personalization engine behind delivery's `MessageComposer` seam.

Delivery composes from facts without contact data; this adds what the engine may say (the region's open projects
and average project value from the demand mart, the discovery source for the GDPR notice) and maps a campaign
step onto the template catalog: the initial step is an introduction, later steps are follow-ups, and a campaign
variant the template does not know falls back to the template's first variant.
"""

from __future__ import annotations

from functools import cache
from uuid import UUID

import psycopg

from outreach.campaigns.composer import Composed, ProspectFacts
from outreach.campaigns.models import Campaign, Channel
from outreach.personalization import Facts, Personalizer
from outreach.templates import Recipient, Sender


class PersonalizedComposer:
    def __init__(self, conn: psycopg.Connection, personalizer: Personalizer, sender: Sender) -> None:
        self.conn = conn
        self.personalizer = personalizer
        self.sender = sender
        self._market = cache(self._market_uncached)

    def _market_uncached(self, specialty: str, region: str | None) -> tuple[int | None, int | None]:
        """Latest (open projects, median paid project value in cents) of a specialty × region, if the mart has it."""
        if region is None or self.conn.execute("select to_regclass('marts.specialty_region_demand_daily')"
                                               ).fetchone()[0] is None:
            return None, None
        row = self.conn.execute(
            "select open_projects, median_project_value_cents from marts.specialty_region_demand_daily "
            "where specialty = %s and region = %s order by partition_date desc limit 1",
            (specialty, region),
        ).fetchone()
        return (row[0], row[1]) if row else (None, None)

    def _source(self, prospect_id: str) -> str:
        row = self.conn.execute("select sources from app.prospects where prospect_id = %s", (prospect_id,)).fetchone()
        return row[0][0] if row and row[0] else "directory"

    def compose(
        self, prospect_facts: ProspectFacts, campaign: Campaign, step: int, variant: str, channel: Channel
    ) -> Composed:
        template_id = f"{'intro' if step == 0 else 'followup'}_{channel}"
        variants = self.personalizer.renderer.spec(template_id, None).variants
        chosen = variant if variant in variants else sorted(variants)[0]
        specialty = prospect_facts.specialties[0] if prospect_facts.specialties else "general_contractor"
        open_projects, project_value = self._market(specialty, prospect_facts.region)
        facts = Facts.from_values(
            business_name=prospect_facts.business_name or "your business",
            specialty=specialty,
            region_name=prospect_facts.city or "your area",
            source=self._source(prospect_facts.prospect_id),
            open_projects=open_projects,
            average_project_value_cents=project_value,
        )
        result = self.personalizer.compose(
            template_id, chosen, channel, facts, self.sender,
            recipient=Recipient(UUID(prospect_facts.prospect_id), UUID(str(campaign.id))),
        )
        return Composed(
            template_id=result.template_ref, method=result.method, subject=result.subject,
            body_text=result.body_text, body_html=result.body_html, headers=result.headers, body=result.body,
        )


def build_composer(conn: psycopg.Connection) -> PersonalizedComposer:
    """The composer from settings: the LLM when OPENAI_API_KEY is set, deterministic templates otherwise."""
    from outreach.personalization import PersonalizationSettings

    settings = PersonalizationSettings()
    return PersonalizedComposer(conn, Personalizer.from_settings(settings, conn), settings.sender())
