"""The second-factor step and step-up as use cases for the edge (portal.accounts.factor_routes).

Each takes the request's ``Unit`` and the session being signed in (``ActiveSession``), and
makes the one call its page needs; the rules and the audit rows are in
portal.accounts.factors. Codes that pass move the session to ``signed_in`` under a new token,
which the route puts in the cookie.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import segno

from portal.accounts import factor_repository, factors
from portal.accounts.factors import Check
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
        unit.db, unit.vault, settings, user=active.user, code=code, client=client, now=now
    )
    _refuse(check, WRONG_CODE)
    token = factors.complete_sign_in(unit.db, active=active, now=now)
    return Passed(token, codes)


def verify(
    unit: Unit, settings: Settings, active: ActiveSession, *, code: str, client: str
) -> Passed:
    now = utc_now()
    check = factors.check_code(
        unit.db, unit.vault, settings, user=active.user, code=code, client=client, now=now
    )
    _refuse(check, WRONG_CODE)
    return Passed(factors.complete_sign_in(unit.db, active=active, now=now), [])


def use_recovery_code(
    unit: Unit, settings: Settings, active: ActiveSession, *, code: str, client: str
) -> Passed:
    now = utc_now()
    check = factors.use_recovery_code(
        unit.db, settings, user=active.user, code=code, client=client, now=now
    )
    _refuse(check, WRONG_RECOVERY_CODE)
    token = factors.complete_sign_in(unit.db, active=active, now=now)
    return Passed(token, [], factors.remaining_recovery_codes(unit.db, active.user.id))


def step_up(
    unit: Unit, settings: Settings, active: ActiveSession, *, code: str, client: str
) -> None:
    """Prove the second factor again (step-up); a wrong code is the form's error."""
    now = utc_now()
    check = factors.check_code(
        unit.db,
        unit.vault,
        settings,
        user=active.user,
        code=code,
        client=client,
        now=now,
        purpose="step_up",
    )
    _refuse(check, WRONG_CODE, field="step_up_code")
    factors.proved_again(unit.db, session=active.session, now=now)


def _refuse(check: Check, wrong: str, *, field: str = "code") -> None:
    if check is Check.THROTTLED:
        raise ValidationFailed({field: THROTTLED})
    if check is Check.WRONG:
        raise ValidationFailed({field: wrong})
