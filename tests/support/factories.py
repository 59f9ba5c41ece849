"""Typed factories for test data, with keyword overrides and safe defaults."""

from __future__ import annotations

import uuid
from functools import cache

from sqlalchemy.orm import Session

from portal.accounts.models import User
from portal.accounts.roles import Role
from portal.clock import utc_now
from portal.security import passwords

PASSWORD = "correct horse battery staple"


@cache
def password_hash() -> str:
    """Hash once per test session: argon2 at production cost takes ~150 ms."""
    return passwords.hash_password(PASSWORD)


def make_user(
    db: Session,
    *,
    role: Role = Role.WITNESS_CARE_OFFICER,
    username: str | None = None,
    display_name: str = "Test Officer",
    active: bool = True,
    area: str | None = "london-north",
    unit: str | None = "ccu",
) -> User:
    user = User(
        id=uuid.uuid4(),
        username=username or f"{role.value}-{uuid.uuid4().hex[:8]}",
        display_name=display_name,
        role=role.value,
        password_hash=password_hash(),
        is_active=active,
        password_changed_at=utc_now(),
        area=area,
        unit=unit,
    )
    db.add(user)
    db.flush()
    return user


def make_session_token(
    db: Session, user: User, *, second_factor: bool = True, passkey: bool = True
) -> str:
    """Create a server-side session directly (no argon2), returning the cookie token. It is
    signed in (its second factor just proved, and a passkey too, as the high-risk actions ask:
    ``passkey=False`` for a session that has not used one) unless ``second_factor=False``:
    password only."""
    from datetime import timedelta

    from portal.accounts.models import PASSWORD_ONLY, SIGNED_IN, AuthSession
    from portal.security import tokens

    token = tokens.new_token()
    now = utc_now()
    db.add(
        AuthSession(
            id=uuid.uuid4(),
            token_hash=tokens.token_hash(token),
            user_id=user.id,
            created_at=now,
            last_seen_at=now,
            expires_at=now + timedelta(hours=8),
            stage=SIGNED_IN if second_factor else PASSWORD_ONLY,
            factor_at=now if second_factor else None,
            passkey_at=now if second_factor and passkey else None,
        )
    )
    db.flush()
    return token


def make_vault(db: Session, settings, *, role: Role | None = None) -> object:
    """A case worker's vault, or (given ``role``) the vault that role gets on the web."""
    from portal.accounts.permissions import disclosure_for
    from portal.keys.vault import Disclosure, KeyCache, Vault

    return Vault(
        db,
        settings.key_provider(),
        KeyCache(),
        index_bits=settings.blind_index_bits,
        disclosure=Disclosure.CASEWORK if role is None else disclosure_for(role),
    )


def make_case(
    db: Session,
    settings,
    *,
    prosecutor: User | None = None,
    officer: User | None = None,
    area: str = "london-north",
    unit: str = "ccu",
    offences: tuple[str, ...] = ("MSA2015-S2",),
    urn: str | None = None,
    offence_date=None,
    defendants: tuple[str, ...] = ("Dan Defendant",),
):
    """Open a case through the real service, as its prosecutor."""
    from portal.accounts.actor import Actor
    from portal.cases.service import NewCase, open_case

    prosecutor = prosecutor or make_user(db, role=Role.PROSECUTOR)
    actor = Actor(prosecutor.id, Role.PROSECUTOR, area, unit)
    vault = make_vault(db, settings)
    return open_case(
        db,
        vault,
        actor,
        NewCase(
            urn=urn or f"01AB{uuid.uuid4().int % 10**7:07d}",
            area=area,
            unit=unit,
            court_type="crown",
            court_name="Southwark Crown Court",
            offence_codes=offences,
            offence_date=offence_date,
            prosecutor_id=prosecutor.id,
            witness_care_officer_id=officer.id if officer else None,
            defendant_names=defendants,
        ),
    )


def add_person(db: Session, settings, case, *, name: str = "Vera Victim", actor_user: User, **kw):
    from datetime import date

    from portal.accounts.actor import Actor
    from portal.people.service import PersonDetails, SafeContact, add_person_to_case

    actor = Actor(actor_user.id, Role(actor_user.role), actor_user.area, actor_user.unit)
    born = kw.pop("born", date(1990, 5, 17))
    safe = kw.pop("safe_channels", None)  # e.g. ("phone",): the safe-contact rules
    return add_person_to_case(
        db,
        make_vault(db, settings),
        actor,
        case,
        PersonDetails(
            full_name=name,
            date_of_birth=born,
            address=kw.pop("address", None),
            phone=kw.pop("phone", None),
            email=kw.pop("email", None),
        ),
        is_victim=kw.pop("is_victim", True),
        is_witness=kw.pop("is_witness", False),
        safe_contact=SafeContact(channels=tuple(safe)) if safe is not None else None,
    )
