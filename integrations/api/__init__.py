"""The inbound API of the AI Outreach domain (FastAPI): `create_app(config, database_url)` and `serve(host, port)`.

See `integrations/contracts/ai-outreach.openapi.yaml` for what it implements and `integrations/api/config.py` for
its environment variables.
"""
