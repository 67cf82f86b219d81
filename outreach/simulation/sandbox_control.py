"""The sandbox's own controls, over HTTP: its clock, event delivery and the oracle of true propensities.

Only the sandbox has these (`/sandbox/*`, no auth, never part of the domain contracts): a simulation moves the
sandbox's clock a day at a time, makes it deliver what fell due, and evaluates scoring against its hidden truth.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, Final

import httpx

ORACLE_BATCH: Final = 10_000


class SandboxControl:
    """A client of one sandbox's `/sandbox/*` endpoints."""

    def __init__(self, base_url: str, *, timeout: float = 300.0) -> None:
        self._http = httpx.Client(base_url=base_url.rstrip("/"), timeout=timeout)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> SandboxControl:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _json(self, response: httpx.Response) -> Any:
        response.raise_for_status()
        return response.json()

    def set_clock(self, moment: datetime) -> datetime:
        """Move the sandbox clock forward to `moment` (it never goes back); entering new days schedules them."""
        body = self._json(self._http.post("/sandbox/clock", json={"now": moment.strftime("%Y-%m-%dT%H:%M:%SZ")}))
        return datetime.fromisoformat(body["now"].replace("Z", "+00:00"))

    def flush(self) -> dict[str, Any]:
        """Deliver every event due at sandbox-now to its receiver, synchronously."""
        return self._json(self._http.post("/sandbox/events/flush"))

    def propensities(self, prospect_ids: Iterable[str]) -> dict[str, float]:
        """prospect id -> the true conversion propensity (`p_convert`) of the business behind it; ids the sandbox
        never linked to a business (never contacted) are absent."""
        ids = list(dict.fromkeys(prospect_ids))
        truth: dict[str, float] = {}
        for start in range(0, len(ids), ORACLE_BATCH):
            body = self._json(self._http.post("/sandbox/oracle/propensities",
                                              json={"prospect_ids": ids[start:start + ORACLE_BATCH]}))
            truth.update({item["prospect_id"]: float(item["p_convert"]) for item in body["items"]})
        return truth
