"""``people.safeguarding.date_errors``: the one check of a date a safeguards form asks for."""

from __future__ import annotations

from datetime import timedelta

from portal.clock import to_london, utc_now
from portal.people.safeguarding import date_errors


def test_missing_past_and_future_dates() -> None:
    today = to_london(utc_now()).date()
    said = {"missing": "Enter the date", "wrong": "Wrong"}
    assert date_errors("on", None, **said) == {"on": "Enter the date"}
    assert date_errors("on", today, **said) == {}
    assert date_errors("on", today + timedelta(days=1), **said) == {"on": "Wrong"}
    assert date_errors("on", today - timedelta(days=1), **said) == {}
    assert date_errors("on", today - timedelta(days=1), **said, future=True) == {"on": "Wrong"}
    assert date_errors("on", today + timedelta(days=1), **said, future=True) == {}
