"""Issue 18 point 5: access changes take effect at once (ASVS 8.3.2).

A user's open session is checked against their account as it is now on every request: a
deactivated account, a changed role, a new unit or a case taken off them ends what they could do
on the very next request, and an unmasking grant works only while its holder may still see the
case it was given for and still holds the permission to see sealed identities.
"""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select, update

from portal.accounts import access_changes
from portal.accounts.actor import Actor
from portal.accounts.models import AuthSession, User
from portal.accounts.roles import Role
from portal.anonymity.models import UnmaskRequest
from portal.audit.models import AuditEvent
from portal.cases.models import Case, CaseParty
from portal.clock import utc_now
from portal.kit.errors import NotPermitted
from portal.people.models import Person
from tests.support.factories import make_case, make_user
from tests.support.web import csrf_from, sign_in
from tests.web.test_anonymity import approve, sealed, unmask
from tests.web.test_case_pages import client_as

__all__ = ["sealed"]  # the fixture, shared with the anonymity pages' tests


def admin_client(app, db):
    admin = make_user(db, role=Role.ADMIN, display_name="Ada Admin", area=None, unit=None)
    db.commit()
    return admin, client_as(app, db, admin)


def refused_to_sign_in(response) -> bool:
    return response.status_code == 303 and response.headers["location"].startswith("/login")


def security_events(db, action: str) -> list[AuditEvent]:
    rows = list(db.scalars(select(AuditEvent).where(AuditEvent.action == action)))
    db.commit()
    return rows


@pytest.fixture
def case_world(app, db, settings):
    prosecutor = make_user(db, role=Role.PROSECUTOR, area="wessex", unit="rasso")
    officer = make_user(db, role=Role.WITNESS_CARE_OFFICER)  # london-north / ccu, the case's unit
    case = make_case(db, settings, prosecutor=prosecutor, area="london-north", unit="ccu")
    db.commit()
    return {"prosecutor": prosecutor, "officer": officer, "case": case}


# --- deactivation ---------------------------------------------------------------------------


def changed_by_an_administrator(db, whose, role: Role, *, area, unit) -> tuple[User, User]:
    """An administrator gives ``whose`` account a new role, Area and unit (committed); the
    account and the administrator."""
    admin = make_user(db, role=Role.ADMIN, area=None, unit=None)
    user = db.get(User, whose.id)
    assert user is not None
    access_changes.change_access(
        db,
        actor=Actor(admin.id, Role.ADMIN),
        user=user,
        role=role,
        area=area,
        unit=unit,
        now=utc_now(),
    )
    db.commit()
    return user, admin


def test_a_deactivated_users_open_session_is_refused_on_the_next_request(
    app, db, case_world
) -> None:
    officer, case = case_world["officer"], case_world["case"]
    own = client_as(app, db, officer)
    assert own.get(f"/cases/{case.id}").status_code == 200
    admin, admin_http = admin_client(app, db)
    token = csrf_from(admin_http.get("/admin/users").text)
    done = admin_http.post(
        f"/admin/users/{officer.id}/deactivate",
        data={"csrf_token": token, "reason": "left", "confirm": "yes"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert refused_to_sign_in(own.get(f"/cases/{case.id}", follow_redirects=False))
    # Unsafe requests too: the session is gone, not just hidden from pages.
    assert refused_to_sign_in(own.post("/session/extend", data={}, follow_redirects=False))
    open_sessions = db.scalars(
        select(AuthSession).where(
            AuthSession.user_id == officer.id, AuthSession.revoked_at.is_(None)
        )
    ).all()
    db.commit()
    assert open_sessions == []
    ended = security_events(db, "account.sessions_ended")
    assert [(e.actor_id, e.object_id, e.purpose) for e in ended] == [
        (admin.id, str(officer.id), "deactivated")
    ]


def test_an_account_switched_off_outside_the_portal_is_refused_and_its_session_ended(
    app, db, case_world
) -> None:
    """The session gate reads the account row itself: an account made inactive by any other
    means (the console, a database fix) is refused at once, and that forced end is audited."""
    officer, case = case_world["officer"], case_world["case"]
    own = client_as(app, db, officer)
    assert own.get(f"/cases/{case.id}").status_code == 200
    db.execute(update(User).where(User.id == officer.id).values(is_active=False))
    db.commit()
    assert refused_to_sign_in(own.get(f"/cases/{case.id}", follow_redirects=False))
    session = db.scalars(select(AuthSession).where(AuthSession.user_id == officer.id)).one()
    db.commit()
    assert session.revoked_at is not None
    ended = security_events(db, "account.sessions_ended")
    assert [(e.object_id, e.purpose) for e in ended] == [(str(officer.id), "account_inactive")]


def test_signing_in_again_after_deactivation_is_refused(app, db, client, case_world) -> None:
    officer = case_world["officer"]
    sign_in(client, officer.username)
    db.execute(update(User).where(User.id == officer.id).values(is_active=False))
    db.commit()
    assert refused_to_sign_in(client.get("/home", follow_redirects=False))
    page = client.get("/login")
    response = client.post(
        "/login",
        data={
            "username": officer.username,
            "password": "correct horse battery staple",
            "csrf_token": csrf_from(page.text),
        },
        follow_redirects=False,
    )
    assert response.status_code == 400


# --- role and unit changes ------------------------------------------------------------------


def test_a_role_change_ends_the_open_session_and_is_audited(app, db, case_world) -> None:
    officer, case = case_world["officer"], case_world["case"]
    own = client_as(app, db, officer)
    assert own.get(f"/cases/{case.id}").status_code == 200
    user, admin = changed_by_an_administrator(db, officer, Role.AUDITOR, area=None, unit=None)
    assert refused_to_sign_in(own.get(f"/cases/{case.id}", follow_redirects=False))
    changed = security_events(db, "account.access_changed")
    assert [(e.actor_id, e.object_id) for e in changed] == [(admin.id, str(officer.id))]
    ended = security_events(db, "account.sessions_ended")
    assert [(e.object_id, e.purpose) for e in ended] == [(str(officer.id), "role_changed")]


def test_permissions_are_read_from_the_account_on_every_request(app, db, case_world) -> None:
    """Even a role changed outside the portal (no session ended) is what the next request
    gets: the principal is built from the account row each time, never kept in the session."""
    officer, case = case_world["officer"], case_world["case"]
    own = client_as(app, db, officer)
    assert own.get(f"/cases/{case.id}/people/new").status_code == 200  # EDIT_PERSON
    db.execute(update(User).where(User.id == officer.id).values(role=Role.AUDITOR.value))
    db.commit()
    assert own.get(f"/cases/{case.id}/people/new").status_code == 403
    assert own.get("/audit").status_code == 200  # what auditors may do


def test_moving_a_user_to_another_unit_hides_the_units_cases_at_once(app, db, case_world) -> None:
    officer, case = case_world["officer"], case_world["case"]
    own = client_as(app, db, officer)
    assert own.get(f"/cases/{case.id}").status_code == 200
    user, admin = changed_by_an_administrator(
        db, officer, Role.WITNESS_CARE_OFFICER, area="wessex", unit="rasso"
    )
    assert own.get(f"/cases/{case.id}").status_code == 404
    assert str(case.urn) not in own.get("/cases").text
    changed = security_events(db, "account.access_changed")
    assert [e.object_id for e in changed] == [str(officer.id)]


def test_only_another_administrator_changes_access_and_never_to_or_from_administrator(
    app, db, case_world
) -> None:
    officer = case_world["officer"]
    admin = make_user(db, role=Role.ADMIN, area=None, unit=None)
    with pytest.raises(NotPermitted):
        access_changes.change_access(
            db,
            actor=Actor(officer.id, Role.WITNESS_CARE_OFFICER),
            user=officer,
            role=Role.PROSECUTOR,
            area=officer.area,
            unit=officer.unit,
            now=utc_now(),
        )
    with pytest.raises(NotPermitted):
        access_changes.change_access(
            db,
            actor=Actor(admin.id, Role.ADMIN),
            user=admin,
            role=Role.AUDITOR,
            area=None,
            unit=None,
            now=utc_now(),
        )
    other_admin = make_user(db, role=Role.ADMIN, area=None, unit=None)
    for user, role in ((officer, Role.ADMIN), (other_admin, Role.AUDITOR)):
        with pytest.raises(NotPermitted):
            access_changes.change_access(
                db,
                actor=Actor(admin.id, Role.ADMIN),
                user=user,
                role=role,
                area=None,
                unit=None,
                now=utc_now(),
            )
    db.rollback()
    assert db.get(User, officer.id).role == Role.WITNESS_CARE_OFFICER.value


def test_taking_a_case_off_its_prosecutor_hides_it_on_the_next_request(app, db, case_world) -> None:
    prosecutor, case = case_world["prosecutor"], case_world["case"]  # another unit: assigned only
    own = client_as(app, db, prosecutor)
    assert own.get(f"/cases/{case.id}").status_code == 200
    successor = make_user(db, role=Role.PROSECUTOR)
    db.execute(update(Case).where(Case.id == case.id).values(prosecutor_id=successor.id))
    db.commit()
    assert own.get(f"/cases/{case.id}").status_code == 404
    assert str(case.urn) not in own.get("/cases").text


# --- unmasking grants -----------------------------------------------------------------------


def granted(app, db, sealed) -> None:
    case, person = sealed["case"], sealed["person"]
    assert unmask(sealed["pros"], case, person).status_code == 200
    request = db.scalars(select(UnmaskRequest)).one()
    db.commit()
    second = client_as(app, db, sealed["second"])
    assert approve(second, case, person, request.id).status_code == 200
    page = sealed["pros"].get(f"/cases/{case.id}/people/{person.id}")
    assert "Ozymandias Canarybird" in page.text


def also_in_another_case(db, settings, sealed):
    """The sealed person is a witness in a second case, which the grant holder keeps."""
    other = make_case(db, settings, prosecutor=sealed["prosecutor"], area="wessex", unit="ccu")
    person = db.get(Person, sealed["person"].id)
    assert person is not None
    db.add(
        CaseParty(
            id=uuid.uuid4(),
            case_id=other.id,
            person_id=person.id,
            is_victim=False,
            is_witness=True,
            key_id=person.key_id,
        )
    )
    db.commit()
    return other


def test_a_grant_stops_working_once_its_holder_is_removed_from_the_case(
    app, db, settings, sealed
) -> None:
    granted(app, db, sealed)
    other = also_in_another_case(db, settings, sealed)
    person = sealed["person"]
    pros = sealed["pros"]
    assert "Ozymandias Canarybird" in pros.get(f"/cases/{other.id}/people/{person.id}").text
    # The case the grant was given for is taken off them (and it is not their unit's).
    successor = make_user(db, role=Role.PROSECUTOR, area="wessex", unit="rasso")
    db.execute(
        update(Case)
        .where(Case.id == sealed["case"].id)
        .values(prosecutor_id=successor.id, area="wessex", unit="rasso")
    )
    db.commit()
    assert pros.get(f"/cases/{sealed['case'].id}/people/{person.id}").status_code == 404
    still_seen = pros.get(f"/cases/{other.id}/people/{person.id}")
    assert still_seen.status_code == 200
    assert "Canarybird" not in still_seen.text
    assert f"Witness {person.reference}" in still_seen.text


def test_a_grant_stops_working_once_its_holder_loses_the_unmask_permission(app, db, sealed) -> None:
    granted(app, db, sealed)
    case, person, pros = sealed["case"], sealed["person"], sealed["pros"]
    db.execute(update(User).where(User.id == sealed["prosecutor"].id).values(may_unmask=False))
    db.commit()
    page = pros.get(f"/cases/{case.id}/people/{person.id}")
    assert page.status_code == 200
    assert "Canarybird" not in page.text


def test_a_role_change_ends_the_holders_grants(app, db, sealed) -> None:
    """A witness care officer of the case's unit still sees the case and may unmask, but not
    with the grant given to them as its prosecutor: the change ends it, audited."""
    granted(app, db, sealed)
    case, person = sealed["case"], sealed["person"]
    user, admin = changed_by_an_administrator(
        db,
        sealed["prosecutor"],
        Role.WITNESS_CARE_OFFICER,
        area=sealed["prosecutor"].area,
        unit=sealed["prosecutor"].unit,
    )
    assert refused_to_sign_in(
        sealed["pros"].get(f"/cases/{case.id}/people/{person.id}", follow_redirects=False)
    )
    again = client_as(app, db, user)  # signed in afresh, as a witness care officer
    page = again.get(f"/cases/{case.id}/people/{person.id}")
    assert page.status_code == 200
    assert "Canarybird" not in page.text
    ended = security_events(db, "unmask.grant_ended")
    assert [(e.actor_id, e.purpose) for e in ended] == [(admin.id, "role_changed")]


def test_deactivation_ends_the_holders_grants(app, db, sealed) -> None:
    granted(app, db, sealed)
    admin, admin_http = admin_client(app, db)
    token = csrf_from(admin_http.get("/admin/users").text)
    answers = {"reason": "left", "confirm": "yes", "handed_to": str(sealed["second"].id)}
    done = admin_http.post(
        f"/admin/users/{sealed['prosecutor'].id}/deactivate",
        data={"csrf_token": token, **answers},
        follow_redirects=False,
    )
    assert done.status_code == 303
    live = db.scalars(select(UnmaskRequest).where(UnmaskRequest.expires_at > utc_now())).all()
    db.commit()
    assert live == []
    ended = security_events(db, "unmask.grant_ended")
    assert [(e.actor_id, e.purpose) for e in ended] == [(admin.id, "deactivated")]


def test_a_grant_of_a_deactivated_holder_is_never_used(app, db, sealed) -> None:
    granted(app, db, sealed)
    db.execute(update(User).where(User.id == sealed["prosecutor"].id).values(is_active=False))
    db.commit()
    page = sealed["pros"].get(
        f"/cases/{sealed['case'].id}/people/{sealed['person'].id}", follow_redirects=False
    )
    assert refused_to_sign_in(page)


# --- break-glass ----------------------------------------------------------------------------


def test_a_role_change_ends_live_break_glass_uses(app, db, settings) -> None:
    from datetime import timedelta

    from portal.breakglass.models import BreakGlassUse

    officer = make_user(db, role=Role.WITNESS_CARE_OFFICER, area="wessex", unit="rasso")
    case = make_case(db, settings, area="london-north", unit="ccu")  # not the officer's unit
    now = utc_now()
    db.add(
        BreakGlassUse(
            id=uuid.uuid4(),
            user_id=officer.id,
            case_id=case.id,
            case_urn=case.urn,
            reason="safeguarding",
            detail="Police report a threat tonight",
            started_at=now,
            expires_at=now + timedelta(minutes=30),
        )
    )
    db.commit()
    assert client_as(app, db, officer).get(f"/cases/{case.id}").status_code == 200
    user, admin = changed_by_an_administrator(
        db, officer, Role.PROSECUTOR, area="wessex", unit="rasso"
    )
    assert client_as(app, db, user).get(f"/cases/{case.id}").status_code == 404
    ended = security_events(db, "break_glass.ended")
    assert [(e.actor_id, e.case_id, e.purpose) for e in ended] == [
        (admin.id, case.id, "role_changed")
    ]
