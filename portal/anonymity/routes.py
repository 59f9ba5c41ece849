"""Restrictions, witness anonymity order applications and unmasking, per person in a case."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable
from typing import Any

from starlette.responses import Response

from portal.accounts.forms import ServiceRefusals
from portal.accounts.permissions import Permission
from portal.anonymity import decisions, forms, pages, service
from portal.anonymity.models import MEASURES, RESTRICTION_KINDS
from portal.anonymity.sweep import Swept
from portal.cases.errors import CaseNotFound
from portal.web.forms import FieldErrors
from portal.web.pages import get, model_context, post
from portal.web.routing import RequestContext, requires, requires_any
from portal.web.stepup import step_up

READERS = requires(Permission.VIEW_CASES)
APPLICANTS = requires(Permission.APPLY_FOR_ANONYMITY)
RECORDERS = requires(Permission.RECORD_RESTRICTION)
APPROVERS = requires(Permission.APPROVE_UNMASK)
UNMASKERS = requires_any(Permission.REQUEST_UNMASK, Permission.APPROVE_UNMASK)
ACTIONS = {
    "approve": "Approve the application",
    "serve": "Record that it was served",
    "grant": "The court granted the order",
    "refuse": "The court refused the order",
    "vary": "The order was varied",
    "discharge": "The order was discharged",
}


def _person_ids(ctx: RequestContext) -> tuple[uuid.UUID, uuid.UUID]:
    return ctx.path_id("case_id"), ctx.path_id("person_id")


def _page(
    ctx: RequestContext, errors: FieldErrors, values: dict[str, Any], status: int
) -> Response:
    page = pages.person_page(
        ctx.unit, *_person_ids(ctx), unmask_minutes=ctx.settings.unmask_minutes
    )
    return ctx.render(
        "anonymity/person.html",
        {
            **model_context(page),
            "kinds": list(RESTRICTION_KINDS.items()),
            "measures": list(MEASURES.items()),
            "errors": errors,
            "values": values,
        },
        status_code=status,
    )


def person_page(ctx: RequestContext) -> Response:
    return _page(ctx, FieldErrors(), {}, 200)


def _back(ctx: RequestContext, message: str) -> Response:
    ctx.flash(message)
    case_id, person_id = _person_ids(ctx)
    return ctx.redirect("anonymity_person", case_id=case_id, person_id=person_id)


def _refused(errors: FieldErrors, step: Callable[[], None], *, suffix: str = "") -> bool:
    """Whether a step was refused: by the form (``errors`` already holds its own, and the step
    is not taken) or by the service (its refusals go onto ``errors``, after ``suffix``)."""
    if not errors:
        with ServiceRefusals(errors, suffix=suffix):
            step()
    return bool(errors)


def add_restriction(ctx: RequestContext) -> Response:
    form = forms.RestrictionForm(ctx.form)
    recorded = functools.partial(
        pages.add_restriction,
        ctx.unit,
        *_person_ids(ctx),
        kind=form.kind,
        starts_on=form.starts_on,
        ends_on=form.ends_on,
        court_reference=form.court_reference,
        waived_in_writing=form.waived,
    )
    if _refused(form.errors, recorded):
        return _page(ctx, form.errors, form.values, 400)
    return _back(ctx, "Restriction recorded")


def apply(ctx: RequestContext) -> Response:
    form = forms.ApplicationForm(ctx.form)
    with ServiceRefusals(form.errors) as refusals:
        drafted = pages.draft_application(
            ctx.unit,
            *_person_ids(ctx),
            condition_a=form.condition_a,
            condition_b=form.condition_b,
            condition_c=form.condition_c,
            considerations=form.considerations,
            measures=form.measures,
        )
    if refusals.refused:
        return _page(ctx, form.errors, form.values, 400)
    ctx.flash(sealed_message(drafted.swept))
    return ctx.redirect(
        "anonymity_application",
        case_id=drafted.application.case_id,
        application_id=drafted.application.id,
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


def _application_ids(ctx: RequestContext) -> tuple[uuid.UUID, uuid.UUID]:
    return ctx.path_id("case_id"), ctx.path_id("application_id")


def application_page(
    ctx: RequestContext,
    errors: FieldErrors | None = None,
    status: int = 200,
    *,
    court_only: bool = False,
    values: dict[str, Any] | None = None,
) -> Response:
    page = pages.application_page(
        ctx.unit, ctx.settings, *_application_ids(ctx), court_only=court_only
    )
    path = ctx.request.url.path
    template = "anonymity/application.html"
    if path.endswith("/served"):
        template = "anonymity/served.html"
    return ctx.render(
        template,
        {
            "case": page.case,
            "application": page.application,
            "person": page.person,
            "pseudonym": page.pseudonym,
            "texts": page.texts,
            "measures": page.measures,
            "actions": [(a, ACTIONS[a]) for a in page.possible],
            "errors": errors or FieldErrors(),
            "values": values or {},
            "return_comment": page.return_comment,
            "decisions": page.decisions,
            "version": "court"
            if path.endswith("/court")
            else ("served" if path.endswith("/served") else "full"),
            "shown_name": page.shown_name,
            "granted": page.granted,
            "staff": page.staff,
        },
        status_code=status,
    )


def application_detail(ctx: RequestContext) -> Response:
    return application_page(ctx)


def case_restrictions(ctx: RequestContext) -> Response:
    page = pages.case_restrictions(ctx.unit, ctx.path_id("case_id"))
    return ctx.render("anonymity/case.html", model_context(page))


def court_version(ctx: RequestContext) -> Response:
    return application_page(ctx, court_only=True)


@step_up(when=lambda ctx: ctx.request.path_params.get("action") == "approve", passkey=True)
def application_action(ctx: RequestContext) -> Response:
    case_id, application_id = _application_ids(ctx)
    action = str(ctx.request.path_params["action"])
    if action not in service.TRANSITIONS:
        raise CaseNotFound(None)
    if action == "approve":
        return _second_person(ctx, case_id, application_id)
    form = forms.StepForm(ctx.form)
    taken = functools.partial(
        pages.transition,
        ctx.unit,
        ctx.settings,
        case_id,
        application_id,
        action,
        on=form.on,
        court_reference=form.court_reference,
    )
    if _refused(form.errors, taken):
        return application_page(ctx, form.errors, 400)
    ctx.flash(ACTIONS[action] + ": recorded")
    return ctx.redirect("anonymity_application", case_id=case_id, application_id=application_id)


def _second_person(ctx: RequestContext, case_id: uuid.UUID, application_id: uuid.UUID) -> Response:
    """The second person's decision on an application: approve, return with a comment or
    refuse with a comment; nothing is assumed (no choice is an error)."""
    decision, comment = ctx.field("decision"), ctx.field("comment")
    errors = FieldErrors()
    if decision not in pages.SECOND_PERSON_DECISIONS:
        errors.add("decision", "Select whether you approve, return or refuse the application")
    step: Callable[[], None]
    if decision in ("return", "decline"):
        step = functools.partial(
            pages.return_application,
            ctx.unit,
            ctx.settings,
            case_id,
            application_id,
            comment=comment,
            refuse=decision == "decline",
        )
    else:
        step = functools.partial(
            pages.transition,
            ctx.unit,
            ctx.settings,
            case_id,
            application_id,
            "approve",
            on=None,
            court_reference="",
        )
    if _refused(errors, step):
        values = {"decision": decision, "comment": comment}
        return application_page(ctx, errors, 400, values=values)
    ctx.flash(DECIDED.get(decision, ACTIONS["approve"] + ": recorded"))
    return ctx.redirect("anonymity_application", case_id=case_id, application_id=application_id)


DECIDED = {
    "return": "Returned to the author with your comment",
    "decline": "Refused: the author has your comment and the application will not be made",
}


def _unmasking(
    ctx: RequestContext,
    call: Callable[[], None],
    message: str,
    values: dict[str, Any],
    *,
    suffix: str = "",
) -> Response:
    """An unmasking step: refused (the password, the reason), the person's page again with the
    errors against the fields (``suffix`` for one request's row); done, back with ``message``."""
    errors = FieldErrors()
    if _refused(errors, call, suffix=suffix):
        return _page(ctx, errors, values, 400)
    return _back(ctx, message)


@step_up(passkey=True)
def request_unmask(ctx: RequestContext) -> Response:
    reason = ctx.field("reason")
    return _unmasking(
        ctx,
        lambda: pages.request_unmask(
            ctx.unit,
            ctx.settings,
            *_person_ids(ctx),
            reason=reason,
            password=ctx.field("password"),
            client=ctx.client_address,
        ),
        "Request sent. A second authorised person must approve it",
        {"reason": reason},
    )


def _decision_ids(ctx: RequestContext) -> tuple[uuid.UUID, uuid.UUID, uuid.UUID]:
    return ctx.path_id("case_id"), ctx.path_id("person_id"), ctx.path_id("request_id")


def _decision_page(
    ctx: RequestContext, errors: FieldErrors, values: dict[str, Any], status: int
) -> Response:
    page = decisions.unmask_decision_page(ctx.unit, ctx.settings, *_decision_ids(ctx))
    return ctx.render(
        "anonymity/unmask_decision.html",
        {**model_context(page), "errors": errors, "values": values},
        status_code=status,
    )


def unmask_decision(ctx: RequestContext) -> Response:
    return _decision_page(ctx, FieldErrors(), {}, 200)


@step_up(passkey=True)
def decide_unmask(ctx: RequestContext) -> Response:
    ids = _decision_ids(ctx)
    request_id = ids[2]
    values = {
        f"decision-{request_id}": ctx.field(f"decision-{request_id}"),
        f"comment-{request_id}": ctx.field(f"comment-{request_id}"),
    }
    errors = FieldErrors()
    decided = functools.partial(
        decisions.decide_unmask,
        ctx.unit,
        ctx.settings,
        *ids,
        password=ctx.field(f"password-{request_id}"),
        client=ctx.client_address,
        decision=ctx.field(f"decision-{request_id}") or None,
        comment=ctx.field(f"comment-{request_id}"),
    )
    if _refused(errors, decided, suffix=f"-{request_id}"):
        return _decision_page(ctx, errors, values, 400)
    ctx.flash("Decision recorded. The requester can see it")
    return ctx.redirect(
        "anonymity_unmask_request", case_id=ids[0], person_id=ids[1], request_id=request_id
    )


BASE = "/cases/{case_id}/people/{person_id}/anonymity"
APP = "/cases/{case_id}/anonymity/{application_id}"
# The approver's role is a setting (service checks it); everything else is prosecutors'.
ACTORS = requires_any(Permission.APPLY_FOR_ANONYMITY, Permission.APPROVE_ANONYMITY_APPLICATION)
routes = [
    get(BASE, person_page, READERS, "anonymity_person"),
    post(BASE + "/restrictions", add_restriction, RECORDERS, "anonymity_restriction"),
    post(BASE + "/apply", apply, APPLICANTS, "anonymity_apply"),
    post(BASE + "/unmask", request_unmask, requires(Permission.REQUEST_UNMASK), "anonymity_unmask"),
    get(BASE + "/unmask/{request_id}", unmask_decision, UNMASKERS, "anonymity_unmask_request"),
    post(BASE + "/unmask/{request_id}", decide_unmask, APPROVERS, "anonymity_unmask_decide"),
    get("/cases/{case_id}/restrictions", case_restrictions, READERS, "case_restrictions"),
    get(APP, application_detail, READERS, "anonymity_application"),
    get(APP + "/served", application_detail, APPLICANTS, "anonymity_served"),
    get(APP + "/court", court_version, APPLICANTS, "anonymity_court"),
    post(APP + "/{action}", application_action, ACTORS, "anonymity_action"),
]
