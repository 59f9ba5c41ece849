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
) -> User:
    user = User(
        id=uuid.uuid4(),
        username=username or f"{role.value}-{uuid.uuid4().hex[:8]}",
        display_name=display_name,
        role=role.value,
        password_hash=password_hash(),
        is_active=active,
        password_changed_at=utc_now(),
    )
    db.add(user)
    db.flush()
    return user


def make_session_token(db: Session, user: User) -> str:
    """Create a server-side session directly (no argon2), returning the cookie token."""
    from datetime import timedelta

    from portal.accounts.models import AuthSession
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
        )
    )
    db.flush()
    return token


def make_vault(db: Session, settings) -> object:
    from portal.keys.vault import KeyCache, Vault

    return Vault(db, settings.key_provider(), KeyCache())
