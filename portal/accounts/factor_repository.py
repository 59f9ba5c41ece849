"""Every query about second factors (portal.accounts.factors)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from portal.accounts.factor_models import FactorReset, Passkey, RecoveryCode, UserFactor
from portal.accounts.models import User
from portal.accounts.repository import pending_with_account


def factor_of(db: Session, user_id: uuid.UUID) -> UserFactor | None:
    return db.scalar(select(UserFactor).where(UserFactor.user_id == user_id))


def enrolled_user_ids(db: Session) -> set[uuid.UUID]:
    rows = db.scalars(select(UserFactor.user_id).where(UserFactor.confirmed_at.is_not(None)))
    return set(rows)


def unused_recovery_code(db: Session, user_id: uuid.UUID, code_hash: str) -> RecoveryCode | None:
    return db.scalar(
        select(RecoveryCode).where(
            RecoveryCode.user_id == user_id,
            RecoveryCode.code_hash == code_hash,
            RecoveryCode.used_at.is_(None),
        )
    )


def count_unused_recovery_codes(db: Session, user_id: uuid.UUID) -> int:
    rows = db.scalars(
        select(RecoveryCode.id).where(
            RecoveryCode.user_id == user_id, RecoveryCode.used_at.is_(None)
        )
    )
    return len(list(rows))


def remove_factors(db: Session, user_id: uuid.UUID) -> None:
    """Delete the user's TOTP factor, every recovery code and every passkey (the TOTP data key
    is destroyed by the caller through the vault)."""
    db.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user_id))
    db.execute(delete(Passkey).where(Passkey.user_id == user_id))
    db.execute(delete(UserFactor).where(UserFactor.user_id == user_id))


def get_reset(db: Session, reset_id: uuid.UUID) -> FactorReset | None:
    return db.get(FactorReset, reset_id)


def pending_reset_for(db: Session, user_id: uuid.UUID) -> FactorReset | None:
    return db.scalar(
        select(FactorReset).where(FactorReset.user_id == user_id, FactorReset.state == "pending")
    )


def pending_resets(db: Session) -> list[tuple[FactorReset, User]]:
    return pending_with_account(db, FactorReset, FactorReset.user_id)


def untold_reset(db: Session, user_id: uuid.UUID) -> FactorReset | None:
    return db.scalar(
        select(FactorReset)
        .where(
            FactorReset.user_id == user_id,
            FactorReset.state == "approved",
            FactorReset.told_at.is_(None),
        )
        .order_by(FactorReset.decided_at.desc())
        .limit(1)
    )


def mark_resets_told(db: Session, user_id: uuid.UUID, now: datetime) -> None:
    db.execute(
        update(FactorReset)
        .where(
            FactorReset.user_id == user_id,
            FactorReset.state == "approved",
            FactorReset.told_at.is_(None),
        )
        .values(told_at=now)
    )


def passkeys_of(db: Session, user_id: uuid.UUID) -> list[Passkey]:
    rows = db.scalars(
        select(Passkey).where(Passkey.user_id == user_id).order_by(Passkey.created_at, Passkey.id)
    )
    return list(rows)


def passkey_of(db: Session, user_id: uuid.UUID, passkey_id: uuid.UUID) -> Passkey | None:
    return db.scalar(select(Passkey).where(Passkey.id == passkey_id, Passkey.user_id == user_id))


def passkey_by_credential(db: Session, credential_id: bytes) -> Passkey | None:
    return db.scalar(select(Passkey).where(Passkey.credential_id == credential_id))
