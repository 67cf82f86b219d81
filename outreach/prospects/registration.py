"""Exclude businesses that are already InstaBids users: `GET /users/search` by email, then by phone.

Only exact contact matches count (a business-name substring would flag look-alikes). A matched prospect is
`disqualified` with the user id kept; every prospect is checked once (`registration_checked_at`), in parallel
threads because each check is one HTTP round trip.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime

import psycopg

from outreach.privacy.access import PiiReader
from outreach.privacy.crypto import PiiCipher

UserSearch = Callable[..., Iterable[list[dict]]]
"""`users.search(email=..., phone=...)` of the User Management client: pages of users."""


@dataclass(frozen=True)
class RegistrationCheck:
    checked: int
    registered: int


def _registered_user(search: UserSearch, email: str | None, phone: str | None) -> str | None:
    for criteria in ({"email": email}, {"phone": phone}):
        if next(iter(criteria.values())) is None:
            continue
        for page in search(**criteria):
            for user in page:
                if user.get("role") == "contractor":
                    return user["id"]
    return None


def check_registrations(
    conn: psycopg.Connection,
    search: UserSearch,
    cipher: PiiCipher,
    now: datetime,
    workers: int = 8,
) -> RegistrationCheck:
    """Check every prospect not yet checked; commit the results."""
    pending = conn.execute(
        "select prospect_id, email_enc, phone_enc from app.prospects "
        "where registration_checked_at is null and (email_enc is not null or phone_enc is not null)"
    ).fetchall()
    reader = PiiReader(cipher, "registration check with User Management")
    contacts = [
        (str(pid), reader.decrypt(e, "app.prospects.email", pid), reader.decrypt(p, "app.prospects.phone", pid))
        for pid, e, p in pending
    ]
    reader.record(conn)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        users = list(pool.map(lambda c: _registered_user(search, c[1], c[2]), contacts))
    matched = [(user, pid) for (pid, _, _), user in zip(contacts, users, strict=True) if user]
    with conn.transaction(), conn.cursor() as cur:
        cur.execute(
            "update app.prospects set registration_checked_at = %s "
            "where registration_checked_at is null", (now,)
        )
        cur.executemany(
            "update app.prospects set registered_user_id = %s, status = 'disqualified', updated_at = now() "
            "where prospect_id = %s",
            matched,
        )
    return RegistrationCheck(checked=len(contacts), registered=len(matched))
