"""Victims and witnesses in a case: adding them, their page, editing and their safeguards.

Every route is under ``/cases/{case_id}``: the case is loaded through the scoped repository, so a
case (or person) outside the user's scope answers 404. URLs carry ids only, never personal data.
Forms keep what was typed on any error; edits are optimistically locked and a conflict shows both
versions side by side with everything typed kept. htmx swaps the details and actions blocks in
place; without JavaScript the same URLs answer with full pages.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy.orm.exc import StaleDataError
from starlette.responses import Response

from portal.accounts.roles import Role
from portal.cases import repository as cases_repo
from portal.cases.errors import StaleEdit, ValidationFailed
from portal.cases.models import Case, CaseParty
from portal.clock import to_london, utc_now
from portal.people import service as people
from portal.people.models import Person
from portal.safeguards import service as safeguards
from portal.web.forms import STALE_MESSAGE, FieldErrors, date_parts, parse_date_parts
from portal.web.routing import PortalRoute, RequestContext, allow

READERS = allow(Role.WITNESS_CARE_OFFICER, Role.PROSECUTOR, Role.VLU_OFFICER, Role.AUDITOR)
EDITORS = allow(Role.WITNESS_CARE_OFFICER, Role.PROSECUTOR)
WCO_ONLY = allow(Role.WITNESS_CARE_OFFICER)

ROLES = (("victim", "Victim"), ("witness", "Witness"), ("both", "Victim and witness"))
DETAIL_LABELS = {
    "full_name": "Full name",
    "date_of_birth": "Date of birth",
    "address": "Address",
    "phone": "Telephone number",
    "email": "Email address",
}
LIMITS = {
    "address": (500, "Address must be 500 characters or fewer"),
    "language": (100, "Language must be 100 characters or fewer"),
    "adjustments": (1000, "Adjustments must be 1,000 characters or fewer"),
    "safe_times": (200, "Safe times must be 200 characters or fewer"),
    "do_not_tell": (1000, "Who must not be told must be 1,000 characters or fewer"),
}
ASCII_DIGITS = frozenset("0123456789")
PHONE_CHARACTERS = ASCII_DIGITS | set(" +()-")


# --- shared helpers -------------------------------------------------------------------------


def _uuid(ctx: RequestContext, name: str) -> uuid.UUID:
    value = ctx.request.path_params[name]
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


def _load(ctx: RequestContext) -> tuple[Case, CaseParty, Person]:
    """The case (scoped to the user) and this person's part in it; 404 if either is not there."""
    return cases_repo.party_in_case(
        ctx.db, ctx.actor, _uuid(ctx, "case_id"), _uuid(ctx, "person_id")
    )


def _today() -> date:
    return to_london(utc_now()).date()


def _status(ctx: RequestContext, code: int) -> int:
    """htmx swaps only 2xx answers by default, so a fragment with errors is sent as 200."""
    return 200 if ctx.is_htmx else code


def _person_path(ctx: RequestContext, case_id: uuid.UUID, person_id: uuid.UUID) -> str:
    return str(ctx.request.url_for("person_page", case_id=case_id, person_id=person_id).path)


def _fields(ctx: RequestContext, *names: str) -> dict[str, Any]:
    return {name: ctx.field(name).strip() for name in names}


def _list(ctx: RequestContext, name: str) -> list[str]:
    if ctx.form is None:
        return []
    return [v for v in ctx.form.getlist(name) if isinstance(v, str)]


def _date_fields(ctx: RequestContext, values: dict[str, Any], name: str) -> None:
    for part in ("day", "month", "year"):
        values[f"{name}-{part}"] = ctx.field(f"{name}-{part}").strip()


def _date(values: dict[str, Any], name: str, label: str, errors: FieldErrors) -> date | None:
    parsed, problem = parse_date_parts(
        values[f"{name}-day"], values[f"{name}-month"], values[f"{name}-year"], label=label
    )
    if problem:
        errors.add(name, problem)
    return parsed


def _date_values(name: str, value: date | None) -> dict[str, str]:
    return {f"{name}-{part}": text for part, text in date_parts(value).items()}


def _ordered(errors: FieldErrors, order: tuple[str, ...]) -> FieldErrors:
    """The same errors in the order the fields appear on the page (for the error summary)."""
    found = dict(errors.items())
    result = FieldErrors()
    for name in (*order, *found):
        if name in found:
            result.add(name, found[name])
    return result


# --- personal details -----------------------------------------------------------------------


def _read_details(ctx: RequestContext) -> dict[str, Any]:
    values = _fields(ctx, "full_name", "address", "phone", "email")
    _date_fields(ctx, values, "date_of_birth")
    return values


def _check_details(
    values: dict[str, Any], errors: FieldErrors, *, is_business: bool, business_contact: str
) -> people.PersonDetails:
    born = _date(values, "date_of_birth", "Date of birth", errors)
    details = people.PersonDetails(
        full_name=values["full_name"],
        date_of_birth=born,
        address=values["address"] or None,
        phone=values["phone"] or None,
        email=values["email"] or None,
        is_business=is_business,
        business_contact=business_contact or None,
    )
    for name, message in people.validate_details(details).items():
        errors.add(name, message)
    if len(values["address"]) > LIMITS["address"][0]:
        errors.add("address", LIMITS["address"][1])
    phone = values["phone"]
    digits = sum(c in ASCII_DIGITS for c in phone)
    if phone and (not set(phone) <= PHONE_CHARACTERS or not 7 <= digits <= 15):
        errors.add("phone", "Enter a telephone number, like 01632 960 001 or +44 808 157 0192")
    if len(values["email"]) > 254:
        errors.add("email", "Email address must be 254 characters or fewer")
    return details


def _read_contact(ctx: RequestContext) -> dict[str, Any]:
    values = _fields(ctx, "language", "adjustments", "safe_times", "do_not_tell")
    values["communication_support"] = _list(ctx, "communication_support")
    values["channels"] = _list(ctx, "channels")
    values["no_voicemail"] = ctx.field("no_voicemail") == "yes"
    return values


def _check_contact(
    values: dict[str, Any], errors: FieldErrors
) -> tuple[people.SafeContact, people.CommunicationNeeds]:
    for name in ("language", "adjustments", "safe_times", "do_not_tell"):
        limit, message = LIMITS[name]
        if len(values[name]) > limit:
            errors.add(name, message)
    if any(c not in people.SAFE_CONTACT_CHANNELS for c in values["channels"]):
        errors.add("channels", "Select how it is safe to contact the person")
    support = values["communication_support"]
    needs = people.CommunicationNeeds(
        language=values["language"],
        interpreter="interpreter" in support,
        intermediary="intermediary" in support,
        adjustments=values["adjustments"],
    )
    rules = people.SafeContact(
        channels=tuple(c for c in people.SAFE_CONTACT_CHANNELS if c in values["channels"]),
        safe_times=values["safe_times"],
        no_voicemail=values["no_voicemail"],
        do_not_tell=values["do_not_tell"],
    )
    return rules, needs


def _contact_values(rules: people.SafeContact, needs: people.CommunicationNeeds) -> dict[str, Any]:
    return {
        "language": needs.language,
        "adjustments": needs.adjustments,
        "communication_support": [
            name
            for name, on in (
                ("interpreter", needs.interpreter),
                ("intermediary", needs.intermediary),
            )
            if on
        ],
        "channels": list(rules.channels),
        "safe_times": rules.safe_times,
        "no_voicemail": rules.no_voicemail,
        "do_not_tell": rules.do_not_tell,
    }


def _form_context(**extra: Any) -> dict[str, Any]:
    return {
        "roles": ROLES,
        "channels": list(safeguards.CHANNEL_LABELS.items()),
        "support_options": [
            ("interpreter", "Needs an interpreter"),
            ("intermediary", "Needs an intermediary (Witness Intermediary Scheme)"),
        ],
        **extra,
    }


NEW_ORDER = (
    "role",
    "is_business",
    "business_contact",
    "full_name",
    "date_of_birth",
    "address",
    "phone",
    "email",
    "language",
    "adjustments",
    "channels",
    "safe_times",
    "do_not_tell",
)


def person_new(ctx: RequestContext) -> Response:
    case = cases_repo.get_case(ctx.db, ctx.actor, _uuid(ctx, "case_id"))
    values: dict[str, Any] = {"communication_support": [], "channels": [], "no_voicemail": False}
    return ctx.render(
        "people/new.html", _form_context(case=case, values=values, errors=FieldErrors())
    )


def person_create(ctx: RequestContext) -> Response:
    case = cases_repo.get_case(ctx.db, ctx.actor, _uuid(ctx, "case_id"))
    values = {**_read_details(ctx), **_read_contact(ctx)}
    values["role"] = ctx.field("role")
    values["is_business"] = ctx.field("is_business") == "yes"
    values["business_contact"] = ctx.field("business_contact").strip()
    errors = FieldErrors()
    if values["role"] not in {r for r, _ in ROLES}:
        errors.add("role", "Select whether the person is a victim, a witness or both")
    if len(values["business_contact"]) > 200:
        errors.add("business_contact", "The contact's name must be 200 characters or fewer")
    details = _check_details(
        values,
        errors,
        is_business=values["is_business"],
        business_contact=values["business_contact"] if values["is_business"] else "",
    )
    rules, needs = _check_contact(values, errors)
    if not errors:
        try:
            person, _ = safeguards.add_person(
                ctx.db,
                ctx.vault,
                ctx.actor,
                case,
                details,
                is_victim=values["role"] in {"victim", "both"},
                is_witness=values["role"] in {"witness", "both"},
                safe_contact=rules,
                needs=needs,
            )
        except ValidationFailed as exc:
            for name, message in exc.errors.items():
                errors.add(name, message)
    if errors:
        return ctx.render(
            "people/new.html",
            _form_context(case=case, values=values, errors=_ordered(errors, NEW_ORDER)),
            status_code=400,
        )
    ctx.flash(f"Person added to the case. Their reference is {person.reference}")
    return ctx.redirect("person_page", case_id=case.id, person_id=person.id)


# --- the person page ------------------------------------------------------------------------


def _page(
    ctx: RequestContext,
    case: Case,
    party: CaseParty,
    person: Person,
    *,
    errors: FieldErrors | None = None,
    values: dict[str, Any] | None = None,
    block: str | None = None,
    status_code: int = 200,
) -> Response:
    overview = safeguards.person_overview(ctx.db, ctx.vault, ctx.actor, case, party, person)
    role = ctx.actor.role
    context = {
        "o": overview,
        "case": case,
        "party": party,
        "person": person,
        "errors": errors or FieldErrors(),
        "values": values or {},
        "fragment": ctx.is_htmx and block is not None,
        "may_edit": role in {Role.WITNESS_CARE_OFFICER, Role.PROSECUTOR},
        "may_act": role is Role.WITNESS_CARE_OFFICER,
        "owner_options": [(str(i), name) for i, name in overview.owners],
        "labels": {
            "risk": safeguards.RISK_LEVELS,
            "services": safeguards.REFERRAL_SERVICES,
            "stages": safeguards.NRM_STAGES,
            "outcomes": safeguards.NRM_OUTCOMES,
            "kinds": safeguards.REFERENCE_KINDS,
            "channels": safeguards.CHANNEL_LABELS,
        },
    }
    return ctx.render(
        "people/person.html",
        context,
        block=block,
        status_code=_status(ctx, status_code) if block else status_code,
    )


def person_page(ctx: RequestContext) -> Response:
    case, party, person = _load(ctx)
    # htmx asks for the page only to put the details back after "Cancel" on the inline form.
    return _page(ctx, case, party, person, block="details")


# --- editing details (optimistic locking) ---------------------------------------------------

EDIT_ORDER = ("full_name", "date_of_birth", "address", "phone", "email")


def _edit(
    ctx: RequestContext,
    case: Case,
    person: Person,
    values: dict[str, Any],
    version: int,
    errors: FieldErrors,
    status_code: int = 200,
) -> Response:
    return ctx.render(
        "people/edit.html",
        {
            "case": case,
            "person": person,
            "values": values,
            "version": version,
            "errors": errors,
            "fragment": ctx.is_htmx,
        },
        block="details_form",
        status_code=_status(ctx, status_code),
    )


def person_edit(ctx: RequestContext) -> Response:
    case, _, person = _load(ctx)
    view = people.view_person(ctx.db, ctx.vault, ctx.actor, person, case_id=case.id)
    values = {
        "full_name": view.full_name.reveal() if view.full_name else "",
        "address": view.address.reveal() if view.address else "",
        "phone": view.phone.reveal() if view.phone else "",
        "email": view.email.reveal() if view.email else "",
        **_date_values("date_of_birth", view.date_of_birth),
    }
    return _edit(ctx, case, person, values, person.version, FieldErrors())


def _version(ctx: RequestContext) -> int:
    version = ctx.version()
    return -1 if version is None else version  # a form without one can only conflict


def _shown_date(text: str) -> str:
    parsed = people.parse_date(text)
    return f"{parsed.day} {parsed:%B %Y}" if parsed else text


def _conflict(
    ctx: RequestContext,
    case: Case,
    person: Person,
    values: dict[str, Any],
    current: dict[str, Any],
    current_version: int,
) -> Response:
    """Someone saved first: show theirs beside yours, and keep everything typed to resubmit."""
    typed_dob, _ = parse_date_parts(
        values["date_of_birth-day"],
        values["date_of_birth-month"],
        values["date_of_birth-year"],
        label="Date of birth",
    )
    yours = {name: values[name] for name in EDIT_ORDER if name != "date_of_birth"}
    yours["date_of_birth"] = typed_dob.isoformat() if typed_dob else ""
    rows = []
    for name in EDIT_ORDER:
        theirs = str(current.get(name) or "")
        mine = yours[name]
        if name == "date_of_birth":
            shown_theirs, shown_mine = _shown_date(theirs), _shown_date(mine)
            if not typed_dob and any(
                values[f"date_of_birth-{p}"] for p in ("day", "month", "year")
            ):
                shown_mine = "/".join(
                    values[f"date_of_birth-{p}"] for p in ("day", "month", "year")
                )
        else:
            shown_theirs, shown_mine = theirs, mine
        rows.append(
            {
                "name": name,
                "label": DETAIL_LABELS[name],
                "theirs": shown_theirs,
                "yours": shown_mine,
                "differs": theirs.strip() != mine.strip(),
            }
        )
    safeguards.record_consultation(
        ctx.db, ctx.actor, person, case.id, action="person.view_conflict"
    )
    return ctx.render(
        "people/conflict.html",
        {
            "case": case,
            "person": person,
            "rows": rows,
            "values": values,
            "version": current_version,
            "errors": FieldErrors(),
            "fragment": ctx.is_htmx,
        },
        block="details_form",
        status_code=_status(ctx, 409),
    )


def person_update(ctx: RequestContext) -> Response:
    case, party, person = _load(ctx)
    values = _read_details(ctx)
    version = _version(ctx)
    errors = FieldErrors()
    business_contact = (
        ctx.vault.open_text(person, "business_contact") or "" if person.is_business else ""
    )
    details = _check_details(
        values, errors, is_business=person.is_business, business_contact=business_contact
    )
    if errors:
        return _edit(ctx, case, person, values, version, _ordered(errors, EDIT_ORDER), 400)
    try:
        changed = people.update_person(
            ctx.db,
            ctx.vault,
            ctx.actor,
            person,
            details,
            expected_version=version,
            case_id=case.id,
        )
    except StaleEdit as exc:
        return _conflict(ctx, case, person, values, exc.current, exc.current_version)
    except StaleDataError:
        # Another transaction committed between our read and our write: start again from what
        # is stored now, and show it beside what was typed.
        ctx.db.rollback()
        case, party, person = _load(ctx)
        current = safeguards.current_details(ctx.vault, person)
        return _conflict(ctx, case, person, values, current, person.version)
    except ValidationFailed as exc:
        for name, message in exc.errors.items():
            errors.add(name, message)
        return _edit(ctx, case, person, values, version, _ordered(errors, EDIT_ORDER), 400)
    safeguards.details_changed(ctx.db, ctx.actor, party, changed)
    if ctx.is_htmx:
        return _page(ctx, case, party, person, block="details")
    ctx.flash("Personal details saved" if changed else "Nothing was changed")
    return ctx.redirect("person_page", case_id=case.id, person_id=person.id)


# --- communication needs and safe-contact rules ---------------------------------------------

CONTACT_ORDER = ("language", "adjustments", "channels", "safe_times", "do_not_tell")


def _contact(
    ctx: RequestContext,
    case: Case,
    person: Person,
    values: dict[str, Any],
    version: int,
    errors: FieldErrors,
    *,
    theirs: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    return ctx.render(
        "people/contact.html",
        _form_context(
            case=case,
            person=person,
            values=values,
            version=version,
            errors=errors,
            theirs=theirs,
        ),
        status_code=status_code,
    )


def contact_page(ctx: RequestContext) -> Response:
    case, _, person = _load(ctx)
    view = people.view_person(ctx.db, ctx.vault, ctx.actor, person, case_id=case.id)
    values = _contact_values(view.safe_contact, view.needs)
    return _contact(ctx, case, person, values, person.version, FieldErrors())


def contact_update(ctx: RequestContext) -> Response:
    case, party, person = _load(ctx)
    values = _read_contact(ctx)
    version = _version(ctx)
    errors = FieldErrors()
    rules, needs = _check_contact(values, errors)
    if errors:
        return _contact(
            ctx, case, person, values, version, _ordered(errors, CONTACT_ORDER), status_code=400
        )
    if version != person.version:
        return _contact_conflict(ctx, case, person, values)
    try:
        people.set_safe_contact(ctx.db, ctx.vault, ctx.actor, person, rules, needs, case_id=case.id)
    except ValidationFailed as exc:
        for name, message in exc.errors.items():
            errors.add(name, message)
        return _contact(
            ctx, case, person, values, version, _ordered(errors, CONTACT_ORDER), status_code=400
        )
    except StaleDataError:
        ctx.db.rollback()
        case, party, person = _load(ctx)
        return _contact_conflict(ctx, case, person, values)
    safeguards.contact_rules_changed(ctx.db, ctx.actor, party)
    ctx.flash("Communication needs and safe-contact rules saved")
    return ctx.redirect_to(_person_path(ctx, case.id, person.id) + "#contact")


def _contact_conflict(
    ctx: RequestContext, case: Case, person: Person, values: dict[str, Any]
) -> Response:
    theirs = _contact_values(
        people.SafeContact.from_json(ctx.vault.open_text(person, "safe_contact")),
        people.CommunicationNeeds.from_json(ctx.vault.open_text(person, "communication_needs")),
    )
    safeguards.record_consultation(
        ctx.db, ctx.actor, person, case.id, action="person.view_conflict"
    )
    return _contact(
        ctx, case, person, values, person.version, FieldErrors(), theirs=theirs, status_code=409
    )


# --- needs assessment -----------------------------------------------------------------------

NEEDS_ORDER = (
    "assessed_on",
    *(name for kind, _ in safeguards.NEED_KINDS for name in (kind, f"{kind}_details")),
    "notes",
    "risk_level",
    "pre_trial_visit_on",
    "witness_service_referred_on",
)


def _needs_page(
    ctx: RequestContext,
    case: Case,
    party: CaseParty,
    person: Person,
    values: dict[str, Any],
    errors: FieldErrors,
    status_code: int = 200,
    *,
    version: int | None = None,
    theirs: dict[str, Any] | None = None,
) -> Response:
    history = safeguards.assessment_history(ctx.db, ctx.vault, ctx.actor, case, party, person)
    return ctx.render(
        "safeguards/needs_assessment.html",
        {
            "case": case,
            "party": party,
            "person": person,
            "history": history,
            "values": values,
            "errors": errors,
            "version": party.version if version is None else version,
            "theirs": theirs,
            "need_kinds": safeguards.NEED_KINDS,
            "questions": safeguards.NEED_QUESTIONS,
            "risk_levels": list(safeguards.RISK_LEVELS.items()),
            "risk_labels": safeguards.RISK_LEVELS,
            "may_assess": ctx.actor.role is Role.WITNESS_CARE_OFFICER,
        },
        status_code=status_code,
    )


def needs_page(ctx: RequestContext) -> Response:
    case, party, person = _load(ctx)
    values: dict[str, Any] = {
        "risk_level": party.risk_level or "",
        **_date_values("assessed_on", None),
        **_date_values("pre_trial_visit_on", party.pre_trial_visit_on),
        **_date_values("witness_service_referred_on", party.witness_service_referred_on),
    }
    return _needs_page(ctx, case, party, person, values, FieldErrors())


def needs_record(ctx: RequestContext) -> Response:
    case, party, person = _load(ctx)
    kinds = [kind for kind, _ in safeguards.NEED_KINDS]
    values = _fields(ctx, "notes", "risk_level", *kinds, *(f"{k}_details" for k in kinds))
    for name in ("assessed_on", "pre_trial_visit_on", "witness_service_referred_on"):
        _date_fields(ctx, values, name)
    version = _version(ctx)
    errors = FieldErrors()
    data = safeguards.NeedsInput(
        needs={
            kind: safeguards.Need(
                {"yes": True, "no": False}.get(values[kind]), values[f"{kind}_details"]
            )
            for kind in kinds
        },
        notes=values["notes"],
        assessed_on=_date(values, "assessed_on", "Date of the assessment", errors),
        risk_level=values["risk_level"],
        pre_trial_visit_on=_date(values, "pre_trial_visit_on", "Date of the visit", errors),
        witness_service_referred_on=_date(
            values, "witness_service_referred_on", "Date of the referral", errors
        ),
    )
    for name, message in safeguards.validate_needs(data, today=_today()).items():
        errors.add(name, message)  # a date that could not be read keeps its own message
    if not errors:
        try:
            safeguards.record_needs_assessment(
                ctx.db, ctx.vault, ctx.actor, case, party, person, data, expected_version=version
            )
        except StaleEdit as exc:
            return _needs_conflict(ctx, case, party, person, values, exc.current)
        except StaleDataError:  # another transaction committed between our read and write
            ctx.db.rollback()
            case, party, person = _load(ctx)
            return _needs_conflict(ctx, case, party, person, values, None)
        except ValidationFailed as exc:
            for name, message in exc.errors.items():
                errors.add(name, message)
    if errors:
        return _needs_page(
            ctx,
            case,
            party,
            person,
            values,
            _ordered(errors, NEEDS_ORDER),
            status_code=400,
            version=version,
        )
    ctx.flash("Needs assessment recorded")
    return ctx.redirect_to(_person_path(ctx, case.id, person.id) + "#needs")


def _needs_conflict(
    ctx: RequestContext,
    case: Case,
    party: CaseParty,
    person: Person,
    values: dict[str, Any],
    current: dict[str, Any] | None,
) -> Response:
    """Another assessment was saved since the form was shown: nothing is saved, the form keeps
    what was typed (with the new version, to save it on purpose) and shows what is stored now."""
    theirs = safeguards.needs_summary(party) if current is None else current
    errors = FieldErrors()
    errors.add("assessed_on", STALE_MESSAGE)
    return _needs_page(
        ctx, case, party, person, values, errors, 409, version=party.version, theirs=theirs
    )


# --- safeguarding actions (htmx: the actions block is swapped in place) ---------------------


def action_add(ctx: RequestContext) -> Response:
    case, party, person = _load(ctx)
    values = _fields(ctx, "action-description", "action-owner")
    _date_fields(ctx, values, "action-due_on")
    errors = FieldErrors()
    due_on = _date(values, "action-due_on", "Due date", errors)
    try:
        owner_id: uuid.UUID | None = uuid.UUID(values["action-owner"])
    except ValueError:
        owner_id = None
    found: dict[str, str] = {}
    try:
        safeguards.add_action(
            ctx.db,
            ctx.vault,
            ctx.actor,
            case,
            party,
            person,
            description=values["action-description"],
            owner_id=owner_id,
            due_on=due_on,
        )
    except ValidationFailed as exc:
        found = exc.errors
    if found or errors:
        order = ("description", "owner", "due_on")
        return _failed(
            ctx, (case, party, person), values, errors, found, "action-", order, "actions"
        )
    if ctx.is_htmx:
        return _page(ctx, case, party, person, block="actions")
    ctx.flash("Safeguarding action added")
    return ctx.redirect_to(_person_path(ctx, case.id, person.id) + "#actions")


def action_done(ctx: RequestContext) -> Response:
    case, party, person = _load(ctx)
    action_id = _uuid(ctx, "action_id")
    problem = "Someone else changed this action since you opened the page. Check it and try again"
    try:
        safeguards.complete_action(
            ctx.db, ctx.actor, case, party, person, action_id, expected_version=_version(ctx)
        )
    except (StaleEdit, StaleDataError) as exc:
        if isinstance(exc, StaleDataError):
            ctx.db.rollback()
            case, party, person = _load(ctx)
        errors = FieldErrors()
        errors.add(f"done-{action_id}", problem)
        return _page(ctx, case, party, person, errors=errors, block="actions", status_code=409)
    if ctx.is_htmx:
        return _page(ctx, case, party, person, block="actions")
    ctx.flash("Safeguarding action marked as done")
    return ctx.redirect_to(_person_path(ctx, case.id, person.id) + "#actions")


# --- referrals, NRM decisions and reference numbers -----------------------------------------


def _failed(
    ctx: RequestContext,
    loaded: tuple[Case, CaseParty, Person],
    values: dict[str, Any],
    errors: FieldErrors,
    found: dict[str, str],
    prefix: str,
    order: tuple[str, ...],
    block: str | None = None,
) -> Response:
    """The person page again, with one small form's errors and what was typed in it.

    ``errors`` are the form's own (dates that could not be read); ``found`` the service's, keyed
    without the form's prefix. A date that could not be read keeps its own message.
    """
    problems = FieldErrors()
    for name, message in errors.items():
        problems.add(name, message)
    for name, message in found.items():
        problems.add(prefix + name, message)
    problems = _ordered(problems, tuple(prefix + name for name in order))
    case, party, person = loaded
    return _page(
        ctx, case, party, person, errors=problems, values=values, block=block, status_code=400
    )


def referral_add(ctx: RequestContext) -> Response:
    case, party, person = _load(ctx)
    values = _fields(ctx, "referral-service", "referral-consent")
    _date_fields(ctx, values, "referral-referred_on")
    _date_fields(ctx, values, "referral-consent_on")
    errors = FieldErrors()
    referred_on = _date(values, "referral-referred_on", "Date of the referral", errors)
    consent_on = _date(values, "referral-consent_on", "Date of consent", errors)
    consent = {"yes": True, "no": False}.get(values["referral-consent"])
    found: dict[str, str] = {}
    try:
        safeguards.add_referral(
            ctx.db,
            ctx.actor,
            case,
            party,
            person,
            service=values["referral-service"],
            referred_on=referred_on,
            consent_given=consent,
            consent_on=consent_on,
        )
    except ValidationFailed as exc:
        found = exc.errors
    if found or errors:
        order = ("service", "referred_on", "consent", "consent_on")
        return _failed(ctx, (case, party, person), values, errors, found, "referral-", order)
    ctx.flash("Referral recorded")
    return ctx.redirect_to(_person_path(ctx, case.id, person.id) + "#support")


def nrm_add(ctx: RequestContext) -> Response:
    case, party, person = _load(ctx)
    values = _fields(ctx, "nrm-stage", "nrm-outcome")
    _date_fields(ctx, values, "nrm-decided_on")
    errors = FieldErrors()
    decided_on = _date(values, "nrm-decided_on", "Date", errors)
    found: dict[str, str] = {}
    try:
        safeguards.add_nrm_decision(
            ctx.db,
            ctx.actor,
            case,
            party,
            person,
            stage=values["nrm-stage"],
            outcome=values["nrm-outcome"],
            decided_on=decided_on,
        )
    except ValidationFailed as exc:
        found = exc.errors
    if found or errors:
        order = ("stage", "outcome", "decided_on")
        return _failed(ctx, (case, party, person), values, errors, found, "nrm-", order)
    ctx.flash("National Referral Mechanism decision recorded")
    return ctx.redirect_to(_person_path(ctx, case.id, person.id) + "#nrm")


def reference_add(ctx: RequestContext) -> Response:
    case, party, person = _load(ctx)
    values = _fields(ctx, "reference-kind", "reference-value")
    try:
        safeguards.add_reference(
            ctx.db,
            ctx.vault,
            ctx.actor,
            case,
            party,
            person,
            kind=values["reference-kind"],
            value=values["reference-value"],
        )
    except ValidationFailed as exc:
        order = ("kind", "value")
        return _failed(
            ctx, (case, party, person), values, FieldErrors(), exc.errors, "reference-", order
        )
    ctx.flash("Reference number added")
    return ctx.redirect_to(_person_path(ctx, case.id, person.id) + "#references")


PERSON = "/cases/{case_id:uuid}/people/{person_id:uuid}"

routes = [
    PortalRoute("/cases/{case_id:uuid}/people/new", person_new, access=EDITORS, name="person_new"),
    PortalRoute(
        "/cases/{case_id:uuid}/people/new",
        person_create,
        access=EDITORS,
        methods=["POST"],
        name="person_create",
    ),
    PortalRoute(PERSON, person_page, access=READERS, name="person_page"),
    PortalRoute(PERSON + "/edit", person_edit, access=EDITORS, name="person_edit"),
    PortalRoute(
        PERSON + "/edit", person_update, access=EDITORS, methods=["POST"], name="person_update"
    ),
    PortalRoute(PERSON + "/contact", contact_page, access=EDITORS, name="person_contact"),
    PortalRoute(
        PERSON + "/contact",
        contact_update,
        access=EDITORS,
        methods=["POST"],
        name="person_contact_update",
    ),
    PortalRoute(PERSON + "/needs-assessment", needs_page, access=EDITORS, name="person_needs"),
    PortalRoute(
        PERSON + "/needs-assessment",
        needs_record,
        access=WCO_ONLY,
        methods=["POST"],
        name="person_needs_record",
    ),
    PortalRoute(
        PERSON + "/actions", action_add, access=WCO_ONLY, methods=["POST"], name="person_action_add"
    ),
    PortalRoute(
        PERSON + "/actions/{action_id:uuid}/done",
        action_done,
        access=WCO_ONLY,
        methods=["POST"],
        name="person_action_done",
    ),
    PortalRoute(
        PERSON + "/referrals",
        referral_add,
        access=EDITORS,
        methods=["POST"],
        name="person_referral_add",
    ),
    PortalRoute(PERSON + "/nrm", nrm_add, access=EDITORS, methods=["POST"], name="person_nrm_add"),
    PortalRoute(
        PERSON + "/references",
        reference_add,
        access=EDITORS,
        methods=["POST"],
        name="person_reference_add",
    ),
]
