"""Passkeys (WebAuthn) as a second factor (issue 18 point 2), with py_webauthn.

Any user may register passkeys; the actions that can do the most harm (``PASSKEY_ACTIONS`` in
portal.accounts.permissions) ask for a passkey assertion within the step-up window, and a code
from the authenticator app is then not enough (``PORTAL_REQUIRE_PASSKEY``).

* The relying party is the portal's public origin (``PORTAL_BASE_URL``), else the origin the
  request came to (its host already checked against ``PORTAL_ALLOWED_HOSTS``); the RP id is its
  host, so a passkey answers only on the host it was made on (browsers refuse IP addresses).
* Each ceremony's challenge (32 random bytes) is kept on the server-side session
  (``auth_session.passkey_challenge``), never in a cookie, and is used once: checking an answer
  clears it whether or not the answer passes; it also expires with the step-up window.
* User verification is required (the authenticator's PIN or biometric), so a passkey is a
  second factor on its own account and not only "something held".
* A signature counter that does not go up (when the authenticator keeps one) is refused: a
  cloned authenticator. Every answer is counted by the sign-in throttle like a code.
* Registering and removing a passkey are audited and the user is told at their next sign-in
  (``factor_changed``), as for any change of their second factors.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar
from urllib.parse import urlsplit

import webauthn
from sqlalchemy import update
from sqlalchemy.orm import Session
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    AuthenticatorTransport,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from portal.accounts import factor_repository as repository
from portal.accounts import notices
from portal.accounts import service as accounts
from portal.accounts.factor_models import Passkey
from portal.accounts.factors import ISSUER, Check, counted
from portal.accounts.models import AuthSession, User
from portal.db.session import write_later
from portal.kit.errors import Conflict, NotFound
from portal.settings import Settings

log = logging.getLogger(__name__)
V = TypeVar("V")  # what a webauthn check returns once the answer passes

CEREMONY_TIMEOUT_MS = 120_000
MAX_CREDENTIAL_JSON = 16_384
KNOWN_TRANSPORTS = {t.value for t in AuthenticatorTransport}


@dataclass(frozen=True, slots=True)
class RelyingParty:
    id: str  # the host: the WebAuthn RP id
    origin: str  # scheme://host[:port], which the browser's client data must name


def relying_party(settings: Settings, request_origin: str) -> RelyingParty:
    origin = settings.base_url or request_origin.rstrip("/")
    host = urlsplit(origin).hostname or ""
    return RelyingParty(host, origin)


def has_passkey(db: Session, user_id: uuid.UUID) -> bool:
    return bool(repository.passkeys_of(db, user_id))


def passkeys_of(db: Session, user_id: uuid.UUID) -> list[Passkey]:
    return repository.passkeys_of(db, user_id)


def fresh(session: AuthSession | None, settings: Settings, now: datetime) -> bool:
    """Whether this session answered with a passkey within ``PORTAL_STEP_UP_MINUTES``."""
    if session is None or not session.signed_in or session.passkey_at is None:
        return False
    return now - timedelta(minutes=settings.step_up_minutes) <= session.passkey_at <= now


# --- the ceremonies' options ---------------------------------------------------------------


def registration_options(
    db: Session, *, session: AuthSession, user: User, rp: RelyingParty, now: datetime
) -> str:
    """The options for ``navigator.credentials.create`` (JSON); the challenge is kept."""
    existing = repository.passkeys_of(db, user.id)
    options = webauthn.generate_registration_options(
        rp_id=rp.id,
        rp_name=ISSUER,
        user_name=user.username,
        user_id=user.id.bytes,
        user_display_name=user.username,
        timeout=CEREMONY_TIMEOUT_MS,
        exclude_credentials=[_descriptor(p) for p in existing],
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.PREFERRED,
            user_verification=UserVerificationRequirement.REQUIRED,
        ),
    )
    _keep_challenge(db, session, options.challenge, now)
    return webauthn.options_to_json(options)


def assertion_options(
    db: Session, *, session: AuthSession, user: User, rp: RelyingParty, now: datetime
) -> str | None:
    """The options for ``navigator.credentials.get`` (JSON), or None: no passkey to ask for."""
    existing = repository.passkeys_of(db, user.id)
    if not existing:
        return None
    options = webauthn.generate_authentication_options(
        rp_id=rp.id,
        timeout=CEREMONY_TIMEOUT_MS,
        allow_credentials=[_descriptor(p) for p in existing],
        user_verification=UserVerificationRequirement.REQUIRED,
    )
    _keep_challenge(db, session, options.challenge, now)
    return webauthn.options_to_json(options)


# --- the answers ---------------------------------------------------------------------------


def register(
    db: Session,
    *,
    session: AuthSession,
    user: User,
    rp: RelyingParty,
    credential: str,
    device: str,
    now: datetime,
) -> Passkey | None:
    """Check the browser's answer to ``registration_options`` and keep the passkey; None if
    the answer does not pass (audited)."""
    challenge = _take_challenge(session, now)
    if challenge is None or not credential or len(credential) > MAX_CREDENTIAL_JSON:
        _failed(db, user, "register")
        return None
    verified = _verified(
        webauthn.verify_registration_response, "register_refused", user, rp, credential, challenge
    )
    if verified is None:
        _failed(db, user, "register")
        return None
    if repository.passkey_by_credential(db, verified.credential_id) is not None:
        raise Conflict("this passkey is registered already")
    passkey = Passkey(
        user_id=user.id,
        credential_id=verified.credential_id,
        public_key=verified.credential_public_key,
        sign_count=verified.sign_count,
        transports=",".join(_transports(credential)),
        name=device[:60],
        created_at=now,
    )
    db.add(passkey)
    db.flush()
    accounts.record_event(
        db,
        "passkey_registered",
        actor=accounts.actor_of(user),
        object_id=passkey.id,
        object_type="passkey",
    )
    notices.add_notice(db, user_id=user.id, kind=notices.FACTOR_CHANGED, now=now)
    log.info("passkey.registered user_id=%s passkey_id=%s", user.id, passkey.id)
    return passkey


def check_assertion(
    db: Session,
    settings: Settings,
    *,
    session: AuthSession,
    user: User,
    rp: RelyingParty,
    credential: str,
    client: str,
    now: datetime,
    purpose: str = "step_up",
) -> Check:
    """Check the browser's answer to ``assertion_options``: counted like a code, audited when it
    does not pass; when it does, the session's passkey proof (and second factor) is fresh.
    ``purpose``: ``step_up``, or ``sign_in`` (the passkey is the second factor at sign-in)."""
    challenge = _take_challenge(session, now)

    def verify() -> bool:
        if challenge is None or not credential or len(credential) > MAX_CREDENTIAL_JSON:
            return False
        passkey = _passkey_answering(db, user, credential)
        if passkey is None:
            return False
        verified = _verified(
            webauthn.verify_authentication_response,
            "assertion_refused",
            user,
            rp,
            credential,
            challenge,
            credential_public_key=passkey.public_key,
            credential_current_sign_count=passkey.sign_count,
        )
        if verified is None:
            return False
        passkey.sign_count = verified.new_sign_count
        passkey.last_used_at = now
        return True

    check = counted(db, settings, user, client, now, verify)
    if check is Check.OK:
        session.passkey_at = now
        session.factor_at = now
        db.flush()
        accounts.record_event(
            db, "passkey_used", actor=accounts.actor_of(user), object_id=user.id, purpose=purpose
        )
    else:
        _failed(db, user, purpose, throttled=check is Check.THROTTLED)
    return check


def remove(db: Session, *, user: User, passkey_id: uuid.UUID, now: datetime) -> None:
    """The user removes one of their own passkeys (another user's is not found)."""
    passkey = repository.passkey_of(db, user.id, passkey_id)
    if passkey is None:
        raise NotFound("passkey")
    db.delete(passkey)
    db.flush()
    accounts.record_event(
        db,
        "passkey_removed",
        actor=accounts.actor_of(user),
        object_id=passkey_id,
        object_type="passkey",
    )
    notices.add_notice(db, user_id=user.id, kind=notices.FACTOR_CHANGED, now=now)
    log.info("passkey.removed user_id=%s passkey_id=%s", user.id, passkey_id)


# --- inside ---------------------------------------------------------------------------------


def _descriptor(passkey: Passkey) -> PublicKeyCredentialDescriptor:
    transports = [AuthenticatorTransport(t) for t in passkey.transports.split(",") if t]
    return PublicKeyCredentialDescriptor(id=passkey.credential_id, transports=transports or None)


def _keep_challenge(db: Session, session: AuthSession, challenge: bytes, now: datetime) -> None:
    """Keep the challenge on the session: at once in a writing request, after the page in a
    read (a GET page writes in its short write transaction: portal.db.session)."""
    encoded = bytes_to_base64url(challenge)
    session_id = session.id

    def keep(write: Session) -> None:
        write.execute(
            update(AuthSession)
            .where(AuthSession.id == session_id)
            .values(passkey_challenge=encoded, passkey_challenge_at=now)
        )

    write_later(db, keep)


def _verified(
    verify: Callable[..., V],
    refused_as: str,
    user: User,
    rp: RelyingParty,
    credential: str,
    challenge: bytes,
    **more: Any,
) -> V | None:
    """webauthn's ``verify`` of the browser's answer to ``challenge``, for this relying party
    and with user verification required; None (logged as ``refused_as``) if it does not pass."""
    try:
        return verify(
            credential=credential,
            expected_challenge=challenge,
            expected_rp_id=rp.id,
            expected_origin=rp.origin,
            require_user_verification=True,
            **more,
        )
    except (WebAuthnException, ValueError, KeyError, TypeError) as refused:
        log.warning("passkey.%s user_id=%s reason=%s", refused_as, user.id, type(refused).__name__)
        return None


def _take_challenge(session: AuthSession, now: datetime) -> bytes | None:
    """The challenge of the ceremony under way, cleared (single use); None if none or stale."""
    encoded, made = session.passkey_challenge, session.passkey_challenge_at
    session.passkey_challenge = None
    session.passkey_challenge_at = None
    if encoded is None or made is None or now - made > timedelta(minutes=5) or made > now:
        return None
    return base64url_to_bytes(encoded)


def _passkey_answering(db: Session, user: User, credential: str) -> Passkey | None:
    try:
        raw_id = json.loads(credential).get("rawId") or json.loads(credential).get("id")
        credential_id = base64url_to_bytes(str(raw_id))
    except (ValueError, AttributeError, TypeError):
        return None
    passkey = repository.passkey_by_credential(db, credential_id)
    return passkey if passkey is not None and passkey.user_id == user.id else None


def _transports(credential: str) -> list[str]:
    try:
        found = json.loads(credential).get("response", {}).get("transports") or []
    except (ValueError, AttributeError):
        return []
    return [t for t in found if isinstance(t, str) and t in KNOWN_TRANSPORTS][:6]


def _failed(db: Session, user: User, purpose: str, *, throttled: bool = False) -> None:
    action = "passkey_throttled" if throttled else "passkey_failed"
    log.warning("factor.%s user_id=%s", action, user.id)
    accounts.record_event(
        db, action, actor=accounts.actor_of(user), object_id=user.id, purpose=purpose
    )
