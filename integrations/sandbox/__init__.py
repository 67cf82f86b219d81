"""A local stand-in for the other InstaBids domains and the event bus (see docs/sandbox.md).

It implements every path of `integrations/contracts/domains.openapi.yaml` over real HTTP, with synthetic data
that is deterministic from a seed and a scale, and it imports nothing of this project but the contracts.
"""

from integrations.sandbox.app import create_app
from integrations.sandbox.config import SandboxConfig, default_webhook_secret
from integrations.sandbox.server import RunningSandbox, serve, start_in_thread

__all__ = ["RunningSandbox", "SandboxConfig", "create_app", "default_webhook_secret", "serve", "start_in_thread"]
