"""The personalization engine behind delivery's `MessageComposer` seam.

Delivery composes from facts without contact data (with, for a referred prospect, the first name of who referred
them); this adds what the engine may say (the region's open projects and average project value from the demand
mart, where we first found the prospect for the GDPR notice) and renders the library template the campaign's YAML
names for the step and channel, at the version it pins (`Step.templates`), in the template variant the campaign's
A/B arm maps to (`Campaign.template_variant`, checked when the campaign is loaded).
"""

from __future__ import annotations

from functools import cache
from uuid import UUID

import psycopg

from outreach.campaigns.composer import Composed, ProspectFacts
from outreach.campaigns.models import Campaign, Channel
from outreach.consent.notice import is_first_email
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
        """Where we first found the prospect (GDPR Art. 14(2)(f)): its earliest source record, by first-seen day
        (ties by source name); the prospect's recorded sources when no record is left; else the web directory."""
        row = self.conn.execute(
            "select coalesce((select source from app.source_records where prospect_id = p.prospect_id "
            "order by first_seen_on, source, source_record_id limit 1), p.sources[1]) "
            "from app.prospects p where p.prospect_id = %s",
            (prospect_id,),
        ).fetchone()
        return row[0] if row and row[0] else "directory"

    def compose(
        self, prospect_facts: ProspectFacts, campaign: Campaign, step: int, variant: str, channel: Channel
    ) -> Composed:
        template_id, version = campaign.steps[step].template_of(channel)
        chosen = campaign.template_variant(step, channel, variant)
        specialty = prospect_facts.specialties[0] if prospect_facts.specialties else "general_contractor"
        open_projects, project_value = self._market(specialty, prospect_facts.region)
        facts = Facts.from_values(
            business_name=prospect_facts.business_name or "your business",
            specialty=specialty,
            region_name=prospect_facts.city or "your area",
            source=self._source(prospect_facts.prospect_id),
            open_projects=open_projects,
            average_project_value_cents=project_value,
            referrer_first_name=prospect_facts.referrer_first_name,
        )
        result = self.personalizer.compose(
            template_id, chosen, channel, facts, self.sender,
            recipient=Recipient(UUID(prospect_facts.prospect_id), UUID(str(campaign.id)), first_contact=(
                is_first_email(self.conn, prospect_facts.prospect_id) if channel == "email" else None)),
            version=version,
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
