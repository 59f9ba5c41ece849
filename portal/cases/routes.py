"""Case pages: the list, opening a case, the case page and recording case events."""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import select
from starlette.responses import Response

from portal.accounts.models import User
from portal.accounts.roles import Role
from portal.audit import service as audit
from portal.cases import repository
from portal.cases import service as cases
from portal.cases.errors import CaseNotFound, ValidationFailed
from portal.cases.models import Case
from portal.cases.offences import catalogue
from portal.cases.reference import (
    AREAS,
    PLEAS,
    UNITS,
    VERDICTS,
    CourtType,
    CrimeCategory,
    EventKind,
    normalise_urn,
)
from portal.web.forms import FieldErrors, parse_date_parts
from portal.web.params import whole_number
from portal.web.routing import PortalRoute, RequestContext, allow

READERS = allow(Role.WITNESS_CARE_OFFICER, Role.PROSECUTOR, Role.VLU_OFFICER, Role.AUDITOR)
EDITORS = allow(Role.WITNESS_CARE_OFFICER, Role.PROSECUTOR)
PEOPLE_PER_PAGE = 25


def _case_id(ctx: RequestContext) -> uuid.UUID:
    try:
        return uuid.UUID(str(ctx.request.path_params["case_id"]))
    except ValueError:
        raise CaseNotFound(None) from None


def load_case(ctx: RequestContext) -> Case:
    return repository.get_case(ctx.db, ctx.actor, _case_id(ctx))


# --- list -----------------------------------------------------------------------------------


def case_list(ctx: RequestContext) -> Response:
    query = ctx.request.query_params
    category = query.get("category", "")
    if category not in {c.value for c in CrimeCategory}:
        category = ""
    urn = normalise_urn(query.get("urn", ""))[:16]
    page = repository.list_cases(
        ctx.db,
        ctx.actor,
        page=ctx.page_number(),
        category=category or None,
        urn_prefix=urn or None,
    )
    offences = repository.offences_of(ctx.db, [c.id for c in page.items])
    filters = {k: v for k, v in (("urn", urn), ("category", category)) if v}
    base_url = str(ctx.request.url_for("case_list").path)
    return ctx.render(
        "cases/index.html",
        {
            "page": page,
            "offences": offences,
            "urn": urn,
            "category": category,
            "categories": [(c.value, c.label) for c in CrimeCategory],
            "areas": AREAS,
            "page_url": base_url + ("?" + urlencode(filters) if filters else ""),
            "may_open": ctx.actor.role in {Role.PROSECUTOR, Role.WITNESS_CARE_OFFICER},
        },
        block="results",
    )


# --- opening a case -------------------------------------------------------------------------


def _case_form_context(values: dict[str, Any], errors: FieldErrors) -> dict[str, Any]:
    return {
        "values": values,
        "errors": errors,
        "areas": list(AREAS.items()),
        "units": list(UNITS.items()),
        "courts": [(c.value, c.label) for c in CourtType],
        "offence_options": [
            (o.code, f"{o.title} ({o.category.label})") for o in catalogue().values()
        ],
    }


def case_new(ctx: RequestContext) -> Response:
    values = {"area": ctx.actor.area or "", "unit": ctx.actor.unit or "", "offences": []}
    return ctx.render("cases/new.html", _case_form_context(values, FieldErrors()))


def case_create(ctx: RequestContext) -> Response:
    assert ctx.form is not None
    offences = [v for v in ctx.form.getlist("offences") if isinstance(v, str)]
    values: dict[str, Any] = {
        "urn": ctx.field("urn").strip(),
        "area": ctx.field("area"),
        "unit": ctx.field("unit"),
        "court_type": ctx.field("court_type"),
        "court_name": ctx.field("court_name").strip(),
        "offences": offences,
        "defendants": ctx.field("defendants").strip(),
        "offence_date-day": ctx.field("offence_date-day"),
        "offence_date-month": ctx.field("offence_date-month"),
        "offence_date-year": ctx.field("offence_date-year"),
    }
    errors = FieldErrors()
    offence_date, problem = parse_date_parts(
        values["offence_date-day"],
        values["offence_date-month"],
        values["offence_date-year"],
        label="Date of the offence",
    )
    defendant_names = [n.strip() for n in values["defendants"].splitlines() if n.strip()]
    command = cases.NewCase(
        urn=values["urn"],
        area=values["area"],
        unit=values["unit"],
        court_type=values["court_type"],
        court_name=values["court_name"],
        offence_codes=offences,
        offence_date=offence_date,
        defendant_names=defendant_names,
    )
    problems = cases.validate_new_case(ctx.db, ctx.actor, command)
    for field_name in ("urn", "area", "unit", "court_type", "court_name", "offences"):
        if field_name in problems:
            errors.add(field_name, problems[field_name])
    if problem:
        errors.add("offence_date", problem)
    if any(len(name) > 200 for name in defendant_names):
        errors.add("defendants", "Each defendant's name must be 200 characters or fewer")
    if not errors:
        try:
            case = cases.open_case(ctx.db, ctx.vault, ctx.actor, command)
        except ValidationFailed as exc:  # someone opened the same URN a moment ago
            for field_name, message in exc.errors.items():
                errors.add(field_name, message)
    if errors:
        return ctx.render("cases/new.html", _case_form_context(values, errors), status_code=400)
    ctx.flash(f"Case {case.urn} opened")
    return ctx.redirect("case_detail", case_id=case.id)


# --- the case page --------------------------------------------------------------------------


def case_detail(ctx: RequestContext) -> Response:
    case = load_case(ctx)
    query = ctx.request.query_params
    role_filter = query.get("role", "")
    if role_filter not in {"victim", "witness"}:
        role_filter = ""
    people = repository.parties_page(
        ctx.db,
        case,
        page=ctx.page_number(),
        per_page=PEOPLE_PER_PAGE,
        role=role_filter or None,
    )
    pseudonymised = ctx.vault.pseudonymised  # the vault opens names as references for them
    ctx.vault.load({person.key_id for _, person in people.items})
    names = {person.id: ctx.vault.open(person, "full_name") for _, person in people.items}
    if not pseudonymised:
        audit.record_consultations(
            ctx.db,
            actor=ctx.actor,
            action="person.list",
            subjects=[(person.id, person.reference) for _, person in people.items],
            case_id=case.id,
        )
    defendants = repository.defendants_of(ctx.db, case)
    defendant_names = {d.id: ctx.vault.open(d, "full_name") for d in defendants}
    events = repository.events_of(ctx.db, case)
    staff = _staff_names(
        ctx, {case.prosecutor_id, case.witness_care_officer_id} | {e.recorded_by_id for e in events}
    )
    audit.record(
        ctx.db,
        actor=ctx.actor,
        category="consultation",
        action="case.view",
        object_type="case",
        object_id=case.id,
        case_id=case.id,
    )
    base_url = str(ctx.request.url_for("case_detail", case_id=case.id).path)
    return ctx.render(
        "cases/detail.html",
        {
            "case": case,
            "area": AREAS.get(case.area, case.area),
            "unit": UNITS.get(case.unit, case.unit),
            "court": CourtType(case.court_type).label,
            "offences": repository.offences_of(ctx.db, [case.id])[case.id],
            "categories": {c.value: c.label for c in CrimeCategory},
            "defendants": defendants,
            "defendant_names": defendant_names,
            "people": people,
            "names": names,
            "pseudonymised": pseudonymised,
            "role_filter": role_filter,
            "events": events,
            "event_labels": {k.value: k.label for k in EventKind},
            "outcomes": {**PLEAS, **VERDICTS},
            "staff": staff,
            "people_url": base_url + (f"?role={role_filter}" if role_filter else ""),
            "people_anchor": "#people",
            "may_edit": ctx.actor.role in {Role.PROSECUTOR, Role.WITNESS_CARE_OFFICER},
        },
        block="people" if "page" in query or "role" in query else None,
    )


def _staff_names(ctx: RequestContext, ids: set[Any]) -> dict[Any, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = ctx.db.execute(select(User.id, User.display_name).where(User.id.in_(wanted))).all()
    return {row[0]: row[1] for row in rows}


# --- case events ----------------------------------------------------------------------------


def _event_form_context(
    ctx: RequestContext, case: Case, values: dict[str, str], errors: FieldErrors
) -> dict[str, Any]:
    defendants = repository.defendants_of(ctx.db, case)
    return {
        "case": case,
        "values": values,
        "errors": errors,
        "kinds": [(k.value, k.label) for k in EventKind],
        "defendants": [(str(d.id), d.label) for d in defendants],
        "pleas": list(PLEAS.items()),
        "verdicts": list(VERDICTS.items()),
    }


def event_new(ctx: RequestContext) -> Response:
    case = load_case(ctx)
    kind = ctx.request.query_params.get("kind", "")
    values = {"kind": kind if kind in {k.value for k in EventKind} else ""}
    return ctx.render("cases/event_new.html", _event_form_context(ctx, case, values, FieldErrors()))


def event_create(ctx: RequestContext) -> Response:
    case = load_case(ctx)
    names = ("kind", "defendant_id", "outcome", "custody_months", "ends_all_proceedings", "notes")
    values = {name: ctx.field(name).strip() for name in names}
    for prefix in ("event_date", "received_on"):
        for part in ("day", "month", "year"):
            values[f"{prefix}-{part}"] = ctx.field(f"{prefix}-{part}")
    errors = FieldErrors()
    kind = EventKind(values["kind"]) if values["kind"] in {k.value for k in EventKind} else None
    if kind is None:
        errors.add("kind", "Select what happened")
    event_date, problem = parse_date_parts(
        values["event_date-day"],
        values["event_date-month"],
        values["event_date-year"],
        label="Date of the event",
    )
    if problem:
        errors.add("event_date", problem)
    elif event_date is None:
        errors.add("event_date", "Enter the date of the event")
    received_on, problem = parse_date_parts(
        values["received_on-day"],
        values["received_on-month"],
        values["received_on-year"],
        label="Date the information was received",
    )
    if problem:
        errors.add("received_on", problem)
    custody = values["custody_months"]
    custody_months = whole_number(custody, low=0, high=1200) if custody else None
    if custody and custody_months is None:
        errors.add("custody_months", "Enter the custodial sentence in whole months, like 18")
    defendant_id = None
    if values["defendant_id"]:
        try:
            defendant_id = uuid.UUID(values["defendant_id"])
        except ValueError:
            errors.add("defendant_id", "Select the defendant")
    if len(values["notes"]) > 2000:
        errors.add("notes", "Notes must be 2,000 characters or fewer")
    if not errors:
        assert kind is not None
        assert event_date is not None
        try:
            _, created = cases.record_event(
                ctx.db,
                ctx.vault,
                ctx.actor,
                case,
                cases.NewEvent(
                    kind=kind,
                    event_date=event_date,
                    received_on=received_on,
                    defendant_id=defendant_id,
                    outcome=values["outcome"] or None,
                    custody_months=custody_months,
                    ends_all_proceedings=values["ends_all_proceedings"] == "yes",
                    notes=values["notes"] or None,
                ),
            )
        except ValidationFailed as exc:
            for name, message in exc.errors.items():
                errors.add(name, message)
    if errors:
        return ctx.render(
            "cases/event_new.html", _event_form_context(ctx, case, values, errors), status_code=400
        )
    ctx.flash(
        f"{kind.label if kind else 'Event'} recorded"
        if created
        else "This event was already recorded"
    )
    return ctx.redirect("case_detail", case_id=case.id)


routes = [
    PortalRoute("/cases", case_list, access=READERS, name="case_list"),
    PortalRoute("/cases/new", case_new, access=EDITORS, name="case_new"),
    PortalRoute("/cases/new", case_create, access=EDITORS, methods=["POST"], name="case_create"),
    PortalRoute("/cases/{case_id}", case_detail, access=READERS, name="case_detail"),
    PortalRoute("/cases/{case_id}/events/new", event_new, access=EDITORS, name="event_new"),
    PortalRoute(
        "/cases/{case_id}/events/new",
        event_create,
        access=EDITORS,
        methods=["POST"],
        name="event_create",
    ),
]
