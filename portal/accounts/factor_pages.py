"""The second-factor step and step-up as use cases for the edge (portal.accounts.factor_routes).

Each takes the request's ``Unit`` and the session being signed in (``ActiveSession``), and
makes the one call its page needs; the rules and the audit rows are in
portal.accounts.factors. Codes that pass move the session to ``signed_in`` under a new token,
which the route puts in the cookie.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

import segno

from portal.accounts import factor_passkeys, factor_repository, factors
from portal.accounts.factors import Check, TypedCode
from portal.accounts.service import ActiveSession
from portal.accounts.unit import Unit
from portal.clock import utc_now
from portal.kit.errors import ValidationFailed
from portal.settings import Settings

WRONG_CODE = "The code is not right, or it has been used already. Enter the code your app shows now"
THROTTLED = (
    "Too many codes that were not right. Wait 5 minutes before you try again, "
    "or contact your service desk"
)
WRONG_RECOVERY_CODE = "This recovery code is not right, or it has been used already"


@dataclass(frozen=True, slots=True)
class FactorStep:
    """What the factor step needs to know: is there a factor to check, and was it reset."""

    enrolled: bool
    reset_on: datetime | None


def factor_step(unit: Unit, active: ActiveSession) -> FactorStep:
    reset = factor_repository.untold_reset(unit.db, active.user.id)
    return FactorStep(
        enrolled=factors.is_enrolled(unit.db, active.user.id),
        reset_on=reset.decided_at if reset is not None else None,
    )


@dataclass(frozen=True, slots=True)
class EnrolPage:
    secret: str  # in groups of four, for typing into an app
    qr_data_uri: str  # the otpauth URI as an SVG QR code drawn here (no outside service)
    username: str


def start_enrolment(unit: Unit, active: ActiveSession) -> None:
    """Make (and seal) the secret to enrol, once; the page then shows it."""
    factors.begin_enrolment(unit.db, unit.vault, active.user, utc_now())


def enrol_page(unit: Unit, active: ActiveSession) -> EnrolPage | None:
    """The secret being enrolled, drawn as a QR code; None when enrolment has not started."""
    enrolment = factors.pending_secret(unit.db, unit.vault, active.user)
    if enrolment is None:
        return None
    qr = segno.make(enrolment.uri, error="m")
    grouped = " ".join(enrolment.secret[i : i + 4] for i in range(0, len(enrolment.secret), 4))
    return EnrolPage(grouped, qr.svg_data_uri(scale=5, border=4), active.user.username)


@dataclass(frozen=True, slots=True)
class Passed:
    """The second factor passed: the session's new token, and (after enrolment) the recovery
    codes to show once."""

    token: str
    recovery_codes: list[str]
    codes_left: int | None = None  # after signing in with a recovery code


def confirm_enrolment(
    unit: Unit, settings: Settings, active: ActiveSession, *, code: str, client: str
) -> Passed:
    now = utc_now()
    check, codes = factors.confirm_enrolment(
        unit.db, unit.vault, settings, TypedCode(active.user, code, client, now)
    )
    _refuse(check, WRONG_CODE)
    token = factors.complete_sign_in(unit.db, active=active, now=now)
    return Passed(token, codes)


def verify(
    unit: Unit, settings: Settings, active: ActiveSession, *, code: str, client: str
) -> Passed:
    now = utc_now()
    check = factors.check_code(
        unit.db, unit.vault, settings, TypedCode(active.user, code, client, now)
    )
    _refuse(check, WRONG_CODE)
    return Passed(factors.complete_sign_in(unit.db, active=active, now=now), [])


def use_recovery_code(
    unit: Unit, settings: Settings, active: ActiveSession, *, code: str, client: str
) -> Passed:
    now = utc_now()
    check = factors.use_recovery_code(unit.db, settings, TypedCode(active.user, code, client, now))
    _refuse(check, WRONG_RECOVERY_CODE)
    token = factors.complete_sign_in(unit.db, active=active, now=now)
    return Passed(token, [], factors.remaining_recovery_codes(unit.db, active.user.id))


def step_up(
    unit: Unit, settings: Settings, active: ActiveSession, *, code: str, client: str
) -> None:
    """Prove the second factor again (step-up); a wrong code is the form's error."""
    now = utc_now()
    typed = TypedCode(active.user, code, client, now)
    check = factors.check_code(unit.db, unit.vault, settings, typed, purpose="step_up")
    _refuse(check, WRONG_CODE, field="step_up_code")
    factors.proved_again(unit.db, session=active.session, now=now)


def _refuse(check: Check, wrong: str, *, field: str = "code") -> None:
    if check is Check.THROTTLED:
        raise ValidationFailed({field: THROTTLED})
    if check is Check.WRONG:
        raise ValidationFailed({field: wrong})


# --- passkeys (portal.accounts.factor_passkeys) ----------------------------------------------

PASSKEY_FIELD = "passkey"
PASSKEY_REFUSED = (
    "Your passkey was not accepted. Try again, or use a different passkey. "
    "If it keeps happening, remove it and register it again"
)
PASSKEY_MISSING = "Use your passkey: your browser asks for it when you select the button"
REGISTRATION_REFUSED = "The passkey could not be registered. Try again"


@dataclass(frozen=True, slots=True)
class PasskeyRow:
    id: uuid.UUID
    name: str
    created_at: datetime
    last_used_at: datetime | None


@dataclass(frozen=True, slots=True)
class PasskeysPage:
    passkeys: list[PasskeyRow]
    options: str  # JSON for navigator.credentials.create


@dataclass(frozen=True, slots=True)
class PasskeyPrompt:
    """The step-up prompt of a high-risk action: an assertion, or (no passkey yet) a
    registration first. ``options``: JSON for navigator.credentials.get or .create."""

    registered: bool
    options: str


def passkeys_page(
    unit: Unit, settings: Settings, active: ActiveSession, *, origin: str
) -> PasskeysPage:
    rp = factor_passkeys.relying_party(settings, origin)
    options = factor_passkeys.registration_options(
        unit.db, session=active.session, user=active.user, rp=rp, now=utc_now()
    )
    rows = [
        PasskeyRow(p.id, p.name, p.created_at, p.last_used_at)
        for p in factor_passkeys.passkeys_of(unit.db, active.user.id)
    ]
    return PasskeysPage(rows, options)


def register_passkey(
    unit: Unit,
    settings: Settings,
    active: ActiveSession,
    *,
    credential: str,
    origin: str,
    device: str,
) -> None:
    """Keep the passkey the browser made; an answer that does not pass is the form's error."""
    if not credential:
        raise ValidationFailed({PASSKEY_FIELD: PASSKEY_NEEDS_SCRIPT})
    made = factor_passkeys.register(
        unit.db,
        session=active.session,
        user=active.user,
        rp=factor_passkeys.relying_party(settings, origin),
        credential=credential,
        device=device,
        now=utc_now(),
    )
    if made is None:
        raise ValidationFailed({PASSKEY_FIELD: REGISTRATION_REFUSED})


def remove_passkey(unit: Unit, active: ActiveSession, passkey_id: uuid.UUID) -> None:
    factor_passkeys.remove(unit.db, user=active.user, passkey_id=passkey_id, now=utc_now())


def passkey_prompt(
    unit: Unit, settings: Settings, active: ActiveSession, *, origin: str
) -> PasskeyPrompt:
    rp = factor_passkeys.relying_party(settings, origin)
    now = utc_now()
    asking = factor_passkeys.assertion_options(
        unit.db, session=active.session, user=active.user, rp=rp, now=now
    )
    if asking is not None:
        return PasskeyPrompt(True, asking)
    making = factor_passkeys.registration_options(
        unit.db, session=active.session, user=active.user, rp=rp, now=now
    )
    return PasskeyPrompt(False, making)


@dataclass(frozen=True, slots=True)
class PasskeyAnswer:
    """The browser's answer to a passkey prompt (``credential``: its JSON), the origin of the
    page that asked (the relying party), and the client's address (counted like a code)."""

    credential: str
    origin: str
    client: str


def passkey_step_up(
    unit: Unit, settings: Settings, active: ActiveSession, answer: PasskeyAnswer
) -> None:
    """Prove the second factor again with a passkey; an answer that fails is the form's error."""
    _check_passkey(unit, settings, active, answer, utc_now(), "step_up")


def _check_passkey(
    unit: Unit,
    settings: Settings,
    active: ActiveSession,
    answer: PasskeyAnswer,
    now: datetime,
    purpose: str,
) -> None:
    """The browser's passkey answer, checked (counted like a code); refused, the form's error."""
    if not answer.credential:
        raise ValidationFailed({PASSKEY_FIELD: PASSKEY_MISSING})
    check = factor_passkeys.check_assertion(
        unit.db,
        settings,
        session=active.session,
        user=active.user,
        rp=factor_passkeys.relying_party(settings, answer.origin),
        credential=answer.credential,
        client=answer.client,
        now=now,
        purpose=purpose,
    )
    _refuse(check, PASSKEY_REFUSED, field=PASSKEY_FIELD)


def passkey_fresh(active: ActiveSession | None, settings: Settings) -> bool:
    return active is not None and factor_passkeys.fresh(active.session, settings, utc_now())


PASSKEY_NEEDS_SCRIPT = (
    "Passkeys need JavaScript, which is off or has not loaded in this browser. "
    "Turn it on, or use a different browser"
)


# --- a passkey as the second factor at sign-in ------------------------------------------------


def passkey_sign_in_options(
    unit: Unit, settings: Settings, active: ActiveSession, *, origin: str
) -> str | None:
    """The options for the browser's passkey (JSON), or None: the user has registered none."""
    return factor_passkeys.assertion_options(
        unit.db,
        session=active.session,
        user=active.user,
        rp=factor_passkeys.relying_party(settings, origin),
        now=utc_now(),
    )


def verify_passkey(
    unit: Unit, settings: Settings, active: ActiveSession, answer: PasskeyAnswer
) -> Passed:
    """The second factor at sign-in, by passkey instead of a code: counted and throttled like a
    code; once it passes the session is signed in (a new token), its passkey proof fresh."""
    now = utc_now()
    _check_passkey(unit, settings, active, answer, now, "sign_in")
    return Passed(factors.complete_sign_in(unit.db, active=active, now=now), [])
