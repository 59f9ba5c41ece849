"""A decision letter is never posted to an address that was replaced after it was drafted: the
post is refused (and shown as refused on the request page), other safe channels still work, and
saving the letter again for the new address, then checking it, lets it go."""

from __future__ import annotations

from datetime import date

import pytest

from portal.cases.reference import EventKind
from portal.people.service import PersonDetails, SafeContact, update_person
from portal.vlu import service as vlu
from tests.integration.test_vlu_workflow import REASONS, _draft_and_check, _ready
from tests.support.vlu import actor_of


def _move_house(db, w, address: str, email: str | None = None) -> None:
    person = w["person"]
    update_person(
        db,
        w["vault"],
        actor_of(w["prosecutor"]),
        person,
        PersonDetails(
            full_name="Vera Victim", date_of_birth=date(1980, 1, 1), address=address, email=email
        ),
        expected_version=person.version,
        case_id=w["case"].id,
    )


def _send(db, w, channel: str) -> None:
    vlu.send(
        db,
        w["vault"],
        actor_of(w["drafter"]),
        w["request"],
        w["decision"],
        w["person"],
        channel=channel,
        expected_version=w["request"].version,
    )


def test_a_letter_drafted_before_the_address_changed_is_not_posted(db, settings) -> None:
    w = _ready(
        db,
        settings,
        EventKind.DISCONTINUANCE,
        safe=SafeContact(channels=("letter", "email")),
        email="vera@example.com",
    )
    _draft_and_check(db, w)
    assert vlu.refusals_for(db, w["vault"], w["request"], w["person"])["letter"] is None

    _move_house(db, w, "2 New Road, Elsewhere EL1 1AA", email="vera@example.com")
    refusals = vlu.refusals_for(db, w["vault"], w["request"], w["person"])
    assert refusals["letter"] == vlu.ADDRESS_REPLACED  # flagged on the request page
    assert refusals["email"] is None
    with pytest.raises(vlu.SendRefused, match="address was replaced after this letter"):
        _send(db, w, "letter")
    assert w["request"].state == "checked"  # nothing was sent

    # Saved again for the new address and checked again: it may now be posted.
    _draft_and_check(db, w)
    _send(db, w, "letter")
    assert w["request"].state == "sent"


def test_an_address_added_for_the_first_time_does_not_hold_letters(db, settings) -> None:
    w = _ready(db, settings, EventKind.DISCONTINUANCE, address=None)
    _draft_and_check(db, w)
    _move_house(db, w, "2 New Road, Elsewhere EL1 1AA")
    assert w["person"].address_changed_at is None
    _send(db, w, "letter")
    assert w["request"].state == "sent"
    assert REASONS
