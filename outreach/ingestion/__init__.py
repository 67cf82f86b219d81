"""Ingestion of the other domains' analytics and list endpoints into the `raw` schema."""
