"""A small keep-alive HTTP client for the fault drills (``bench.drills``): one connection per
simulated user, reconnecting after a failure, never following redirects."""

from __future__ import annotations

import http.client
from datetime import timedelta
from urllib.parse import urlencode

from portal.clock import to_london, utc_now


class Client:
    def __init__(self, port: int, cookie: str, timeout: float = 30) -> None:
        self.port, self.cookie, self.timeout = port, cookie, timeout
        self._conn: http.client.HTTPConnection | None = None

    def request(
        self, method: str, path: str, body: str | None = None
    ) -> tuple[int, str, dict[str, str]]:
        if self._conn is None:
            self._conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        headers = {"Cookie": self.cookie}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            self._conn.request(method, path, body=body, headers=headers)
            response = self._conn.getresponse()
            text = response.read().decode("utf-8", "replace")
        except (OSError, http.client.HTTPException) as exc:
            self.close()
            raise OSError(str(exc)) from exc
        if response.getheader("Connection", "").lower() == "close":
            self.close()
        return response.status, text, dict(response.getheaders())

    def form_body(
        self, csrf: str, case_id: str, person_id: str, description: str, owner_id: str
    ) -> str:
        due = to_london(utc_now()).date() + timedelta(days=14)
        return urlencode(
            {
                "csrf_token": csrf,
                "action-description": description,
                "action-owner": owner_id,
                "action-due_on-day": str(due.day),
                "action-due_on-month": str(due.month),
                "action-due_on-year": str(due.year),
            }
        )

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


def post_action(
    client: Client, csrf: str, case_id: str, person_id: str, description: str, owner_id: str
) -> int:
    """Add a safeguarding action to a person (the drills' write): 303 once it is committed."""
    body = client.form_body(csrf, case_id, person_id, description, owner_id)
    return client.request("POST", f"/cases/{case_id}/people/{person_id}/actions", body)[0]
