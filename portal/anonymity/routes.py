"""Restrictions, witness anonymity order applications and unmasking, per person in a case."""

from __future__ import annotations

import uuid
from typing import Any

from starlette.responses import Response

from portal.accounts.models import User
from portal.accounts.roles import Role
from portal.anonymity import service
from portal.anonymity.models import MEASURES, RESTRICTION_KINDS, AnonymityApplication, UnmaskRequest
from portal.anonymity.sweep import Swept
from portal.audit import service as audit
from portal.cases import repository as cases_repo
from portal.cases.errors import CaseNotFound, NotPermitted, ValidationFailed
from portal.keys.vault import pseudonym
from portal.web.forms import FieldErrors, parse_date_parts
from portal.web.routing import PortalRoute, RequestContext, allow

READERS = allow(Role.WITNESS_CARE_OFFICER, Role.PROSECUTOR, Role.VLU_OFFICER, Role.AUDITOR)
RECORDERS = allow(Role.WITNESS_CARE_OFFICER, Role.PROSECUTOR)
CASEWORK = allow(Role.WITNESS_CARE_OFFICER, Role.PROSECUTOR, Role.VLU_OFFICER)
ACTIONS = {
    "approve": "Approve the application",
    "serve": "Record that it was served",
    "grant": "The court granted the order",
    "refuse": "The court refused the order",
    "vary": "The order was varied",
    "discharge": "The order was discharged",
}


def _uuid(ctx: RequestContext, name: str) -> uuid.UUID:
    try:
        return uuid.UUID(str(ctx.request.path_params[name]))
    except ValueError:
        raise CaseNotFound(None) from None


def _party(ctx: RequestContext) -> tuple[Any, Any, Any]:
    return cases_repo.party_in_case(
        ctx.db, ctx.actor, _uuid(ctx, "case_id"), _uuid(ctx, "person_id")
    )


def _may_unmask(ctx: RequestContext) -> bool:
    user = ctx.db.get(User, ctx.actor.user_id)
    return bool(user and user.may_unmask)


def _page(
    ctx: RequestContext, errors: FieldErrors, values: dict[str, Any], status: int
) -> Response:
    case, party, person = _party(ctx)
    applications = service.applications_for(ctx.db, case.id, person.id)
    requests = service.requests_for(ctx.db, person.id)
    granted = person.key_id in ctx.vault.unsealed_keys
    audit.record(
        ctx.db,
        actor=ctx.actor,
        category="consultation",
        action="anonymity.view",
        object_type="person",
        object_id=person.id,
        case_id=case.id,
        subject_id=person.id,
        subject_ref=person.reference,
    )
    return ctx.render(
        "anonymity/person.html",
        {
            "case": case,
            "person": person,
            "shown_name": ctx.vault.open(person, "full_name"),
            "applications": applications,
            "requests": requests,
            "kinds": list(RESTRICTION_KINDS.items()),
            "measures": list(MEASURES.items()),
            "errors": errors,
            "values": values,
            "may_record": ctx.actor.role in {Role.PROSECUTOR, Role.WITNESS_CARE_OFFICER},
            "may_apply": ctx.actor.role is Role.PROSECUTOR,
            "may_unmask": _may_unmask(ctx),
            "granted": granted,
            "me": ctx.actor.user_id,
            "staff": service.staff_names(
                ctx.db, {i for r in requests for i in (r.requested_by_id, r.approved_by_id)}
            ),
            "unmask_reasons": {
                r.id: ctx.vault.open(r, "reason")
                for r in requests
                if r.state == "pending" and r.requested_by_id != ctx.actor.user_id
            },
            "unmask_minutes": ctx.settings.unmask_minutes,
        },
        status_code=status,
    )


def person_page(ctx: RequestContext) -> Response:
    return _page(ctx, FieldErrors(), {}, 200)


def add_restriction(ctx: RequestContext) -> Response:
    case, _, person = _party(ctx)
    values = {k: ctx.field(k) for k in ("kind", "court_reference", "waived")}
    for prefix in ("starts_on", "ends_on"):
        for part in ("day", "month", "year"):
            values[f"{prefix}-{part}"] = ctx.field(f"{prefix}-{part}")
    errors = FieldErrors()
    starts, problem = parse_date_parts(
        values["starts_on-day"],
        values["starts_on-month"],
        values["starts_on-year"],
        label="The start date",
    )
    if problem:
        errors.add("starts_on", problem)
    ends, problem = parse_date_parts(
        values["ends_on-day"], values["ends_on-month"], values["ends_on-year"], label="The end date"
    )
    if problem:
        errors.add("ends_on", problem)
    if not errors:
        try:
            service.add_restriction(
                ctx.db,
                ctx.actor,
                case,
                person,
                kind=values["kind"],
                starts_on=starts,
                ends_on=ends,
                court_reference=values["court_reference"],
                waived_in_writing=values["waived"] == "yes",
            )
        except ValidationFailed as exc:
            for name, message in exc.errors.items():
                errors.add(name, message)
    if errors:
        return _page(ctx, errors, values, 400)
    ctx.flash("Restriction recorded")
    return ctx.redirect("anonymity_person", case_id=case.id, person_id=person.id)


def apply(ctx: RequestContext) -> Response:
    case, _, person = _party(ctx)
    assert ctx.form is not None
    measures = [m for m in ctx.form.getlist("measures") if isinstance(m, str)]
    values: dict[str, Any] = {
        k: ctx.field(k) for k in ("condition_a", "condition_b", "condition_c", "considerations")
    }
    values["measures"] = measures
    try:
        drafted = service.draft_application(
            ctx.db,
            ctx.vault,
            ctx.actor,
            case,
            person,
            condition_a=values["condition_a"],
            condition_b=values["condition_b"],
            condition_c=values["condition_c"],
            considerations=values["considerations"],
            measures=measures,
        )
    except ValidationFailed as exc:
        errors = FieldErrors()
        for name, message in exc.errors.items():
            errors.add(name, message)
        return _page(ctx, errors, values, 400)
    ctx.flash(sealed_message(drafted.swept))
    return ctx.redirect(
        "anonymity_application", case_id=case.id, application_id=drafted.application.id
    )


def sealed_message(swept: Swept) -> str:
    message = "Application drafted. The witness's identity is now sealed"
    removed = swept.letters_masked + swept.texts_masked
    if swept.letters_returned:
        letters = "letter" if swept.letters_returned == 1 else "letters"
        message += (
            f". {swept.letters_returned} unsent decision {letters} named them and must be redrafted"
        )
    if removed:
        message += f". Their true identity was replaced in {removed} other saved " + (
            "text" if removed == 1 else "texts"
        )
    if swept.documents_blocked:
        count = swept.documents_blocked
        message += (
            f". {count} uploaded {'document' if count == 1 else 'documents'} may contain"
            " their true identity and cannot be served until checked again"
        )
    return message


def _application(ctx: RequestContext) -> tuple[Any, AnonymityApplication, Any]:
    case = cases_repo.get_case(ctx.db, ctx.actor, _uuid(ctx, "case_id"))
    application = ctx.db.get(AnonymityApplication, _uuid(ctx, "application_id"))
    if application is None or application.case_id != case.id:
        raise CaseNotFound(None)
    _, _, person = cases_repo.party_in_case(ctx.db, ctx.actor, case.id, application.person_id)
    return case, application, person


def application_page(
    ctx: RequestContext, errors: FieldErrors | None = None, status: int = 200
) -> Response:
    case, application, person = _application(ctx)
    texts = {
        name: ctx.vault.open(application, name)
        for name in ("condition_a", "condition_b", "condition_c", "considerations")
    }
    audit.record(
        ctx.db,
        actor=ctx.actor,
        category="consultation",
        action="anonymity.application_view",
        object_type="anonymity_application",
        object_id=application.id,
        case_id=case.id,
        subject_id=person.id,
        subject_ref=person.reference,
    )
    possible = [
        a
        for a, (source, _) in service.TRANSITIONS.items()
        if source == application.state
        # the author is not offered the approval they may not give (the service refuses it too)
        and not (a == "approve" and ctx.actor.user_id == application.drafted_by_id)
    ]
    return ctx.render(
        "anonymity/application.html",
        {
            "case": case,
            "application": application,
            "person": person,
            "pseudonym": pseudonym(person.reference),
            "texts": texts,
            "measures": [MEASURES[m] for m in application.measures.split(",") if m in MEASURES],
            "actions": [(a, ACTIONS[a]) for a in possible],
            "errors": errors or FieldErrors(),
            "values": {},
            "version": "court"
            if ctx.request.url.path.endswith("/court")
            else ("served" if ctx.request.url.path.endswith("/served") else "full"),
            "shown_name": ctx.vault.open(person, "full_name"),
            "granted": person.key_id in ctx.vault.unsealed_keys,
            "staff": service.staff_names(
                ctx.db, {application.drafted_by_id, application.approved_by_id}
            ),
        },
        status_code=status,
    )


def application_detail(ctx: RequestContext) -> Response:
    return application_page(ctx)


def court_version(ctx: RequestContext) -> Response:
    _, _, person = _application(ctx)
    if person.key_id not in ctx.vault.unsealed_keys:
        raise NotPermitted("the court-only version needs an approved request to see the identity")
    return application_page(ctx)


def application_action(ctx: RequestContext) -> Response:
    case, application, _ = _application(ctx)
    action = str(ctx.request.path_params["action"])
    if action not in service.TRANSITIONS:
        raise CaseNotFound(None)
    on, problem = parse_date_parts(
        ctx.field("on-day"), ctx.field("on-month"), ctx.field("on-year"), label="The date"
    )
    errors = FieldErrors()
    if problem:
        errors.add("on", problem)
    else:
        try:
            service.transition(
                ctx.db,
                ctx.actor,
                ctx.settings,
                application,
                action,
                on=on,
                court_reference=ctx.field("court_reference"),
            )
        except ValidationFailed as exc:
            for name, message in exc.errors.items():
                errors.add(name, message)
    if errors:
        return application_page(ctx, errors, 400)
    ctx.flash(ACTIONS[action] + ": recorded")
    return ctx.redirect("anonymity_application", case_id=case.id, application_id=application.id)


def request_unmask(ctx: RequestContext) -> Response:
    case, _, person = _party(ctx)
    values = {"reason": ctx.field("reason")}
    try:
        service.request_unmask(
            ctx.db,
            ctx.vault,
            ctx.actor,
            ctx.settings,
            case,
            person,
            reason=values["reason"],
            password=ctx.field("password"),
            client=ctx.client_address,
        )
    except ValidationFailed as exc:
        errors = FieldErrors()
        for name, message in exc.errors.items():
            errors.add(name, message)
        return _page(ctx, errors, values, 400)
    ctx.flash("Request sent. A second authorised person must approve it")
    return ctx.redirect("anonymity_person", case_id=case.id, person_id=person.id)


def decide_unmask(ctx: RequestContext) -> Response:
    case, _, person = _party(ctx)
    request = ctx.db.get(UnmaskRequest, _uuid(ctx, "request_id"))
    if request is None or request.person_id != person.id:
        raise CaseNotFound(None)
    try:
        service.approve_unmask(
            ctx.db,
            ctx.actor,
            ctx.settings,
            request,
            password=ctx.field(f"password-{request.id}"),
            client=ctx.client_address,
            approve={"approve": True, "refuse": False}.get(ctx.field(f"decision-{request.id}")),
        )
    except ValidationFailed as exc:
        errors = FieldErrors()
        for name, message in exc.errors.items():
            errors.add(f"{name}-{request.id}", message)
        return _page(ctx, errors, {}, 400)
    ctx.flash("Decision recorded")
    return ctx.redirect("anonymity_person", case_id=case.id, person_id=person.id)


BASE = "/cases/{case_id}/people/{person_id}/anonymity"
APP = "/cases/{case_id}/anonymity/{application_id}"
routes = [
    PortalRoute(BASE, person_page, access=READERS, name="anonymity_person"),
    PortalRoute(
        BASE + "/restrictions",
        add_restriction,
        access=RECORDERS,
        methods=["POST"],
        name="anonymity_restriction",
    ),
    PortalRoute(
        BASE + "/apply",
        apply,
        access=allow(Role.PROSECUTOR),
        methods=["POST"],
        name="anonymity_apply",
    ),
    PortalRoute(
        BASE + "/unmask", request_unmask, access=CASEWORK, methods=["POST"], name="anonymity_unmask"
    ),
    PortalRoute(
        BASE + "/unmask/{request_id}",
        decide_unmask,
        access=CASEWORK,
        methods=["POST"],
        name="anonymity_unmask_decide",
    ),
    PortalRoute(APP, application_detail, access=READERS, name="anonymity_application"),
    PortalRoute(
        APP + "/served", application_detail, access=allow(Role.PROSECUTOR), name="anonymity_served"
    ),
    PortalRoute(
        APP + "/court", court_version, access=allow(Role.PROSECUTOR), name="anonymity_court"
    ),
    # The approver's role is a setting (service checks it); everything else is prosecutors'.
    PortalRoute(
        APP + "/{action}",
        application_action,
        access=allow(Role.PROSECUTOR, Role.VLU_OFFICER),
        methods=["POST"],
        name="anonymity_action",
    ),
]
