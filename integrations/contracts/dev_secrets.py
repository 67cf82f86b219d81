"""Development signing secrets shared by the local sandbox and our own services, so the local stack verifies
out of the box. Public by design: production sets `INSTABIDS_WEBHOOK_SECRET_<SERVICE>` and
`INSTABIDS_EVENT_BUS_SECRET` from its secret store."""

import base64
import hashlib


def default_webhook_secret(service: str) -> str:
    """`whsec_` + base64 of 32 bytes derived from the sender's name (`MESSAGING`, ..., `EVENT_BUS`)."""
    key = hashlib.sha256(f"instabids-sandbox-dev-webhook-secret:{service.upper()}".encode()).digest()
    return "whsec_" + base64.b64encode(key).decode()
