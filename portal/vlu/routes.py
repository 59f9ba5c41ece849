"""VLU pages: the queue, a decision (reasons and bulk actions), a request (draft, check, send,
review, conversation), the printable letter and its PDF, and a bulk job's progress.

Access is declared per route (deny by default) and checked again by the state machine; every
decision, request and job is looked up inside the actor's case scope (404 otherwise). Pages that
show personal data are logged (ids and references only); nothing personal goes in a URL: filters
are codes, and letter text for the readability check is POSTed.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from starlette.exceptions import HTTPException
from starlette.responses import Response

from portal.accounts.roles import Role
from portal.audit import service as audit
from portal.cases.errors import CaseNotFound, StaleEdit, ValidationFailed
from portal.cases.models import Case
from portal.cases.reference import AREAS, CATEGORY_LABELS, CrimeCategory, EventKind
from portal.keys.vault import Vault
from portal.people.models import Person
from portal.rendering import Unprintable
from portal.victims_code.calendar import ENGLAND_AND_WALES
from portal.victims_code.lifecycle import status as obligation_status
from portal.victims_code.models import Obligation
from portal.vlu import repository, service, states
from portal.vlu.contact import SEND_CHANNELS
from portal.vlu.directory import directory
from portal.vlu.letters import TEMPLATES, long_date
from portal.vlu.models import Job, VluDecision
from portal.vlu.printing import letter_pdf as letter_pdf_bytes
from portal.vlu.readability import TARGET, Readability, flesch
from portal.vlu.repository import QueueFilters, RequestRow
from portal.vlu.states import Action, Outcome, State
from portal.web.forms import FieldErrors, parse_date_parts
from portal.web.routing import PortalRoute, RequestContext, allow

CASE_TEAM = allow(Role.VLU_OFFICER, Role.PROSECUTOR, Role.WITNESS_CARE_OFFICER)
VLU_ONLY = allow(Role.VLU_OFFICER)
PROSECUTORS = allow(Role.PROSECUTOR)
REVIEWERS = allow(Role.VLU_OFFICER, Role.PROSECUTOR)
PER_PAGE = 25

DUE_FILTERS = {
    "overdue": "Overdue (escalated)",
    "due_today": "Due today",
    "due_soon": "Due in the next 5 working days",
}
STATE_FILTERS = {"": "Needs action", **{s.value: s.label for s in State}, "all": "All"}
BULK_LABELS = {
    "draft_all": "Drafting letters",
    "approve_all": "Approving checked letters",
    "send_all": "Sending letters",
}
REVIEW_LABELS = {
    Action.RECORD_REVIEW_REQUEST: "Record a Right to Review request",
    Action.START_LOCAL_RESOLUTION: "Start local resolution",
    Action.RECORD_OUTCOME: "Record the outcome",
}


def _uuid(ctx: RequestContext, name: str) -> uuid.UUID:
    try:
        return uuid.UUID(str(ctx.request.path_params[name]))
    except ValueError:
        raise CaseNotFound(None) from None


def _checked(ctx: RequestContext) -> set[str]:
    if ctx.form is None:
        return set()
    return {v for v in ctx.form.getlist("checklist") if isinstance(v, str)}


def _name(vault: Vault, person: Person) -> Any:
    if person.erased:
        return person.reference
    return vault.open(person, "full_name") or person.reference


def _today() -> date:
    return service.london_today()


def _soon(today: date) -> date:
    return ENGLAND_AND_WALES.add_working_days(today, 5)


def _labels() -> dict[str, Any]:
    return {
        "decision_labels": {k.value: k.label for k in EventKind},
        "state_labels": {s.value: s.label for s in State},
        "action_labels": {a.value: a.label for a in Action},
        "outcome_labels": {o.value: o.label for o in Outcome},
        "channel_labels": {code: spec.label for code, spec in SEND_CHANNELS.items()},
        "unsent": {s.value for s in states.UNSENT},
        "role_labels": {r.value: r.label for r in Role},
    }


# --- My work: letters waiting for the prosecutor's reasons -----------------------------------


def waiting_for_reasons(ctx: RequestContext) -> Response:
    waiting = repository.waiting_for_reasons(ctx.db, ctx.actor)
    return ctx.render(
        "vlu/waiting_for_reasons.html",
        {
            "waiting": waiting,
            "letters": sum(w.letters for w in waiting),
            "decision_labels": {k.value: k.label for k in EventKind},
        },
        block="vlu_work",
    )


# --- the queue -------------------------------------------------------------------------------


def queue(ctx: RequestContext) -> Response:
    params = ctx.request.query_params
    filters = QueueFilters(
        due=params.get("due", "") if params.get("due", "") in DUE_FILTERS else "",
        state=params.get("state", "") if params.get("state", "") in STATE_FILTERS else "",
        area=params.get("area", "") if params.get("area", "") in AREAS else "",
        category=(
            params.get("category", "")
            if params.get("category", "") in {c.value for c in CrimeCategory}
            else ""
        ),
    )
    today = _today()
    soon = _soon(today)
    page = repository.queue(
        ctx.db,
        ctx.actor,
        filters,
        page=ctx.page_number(),
        per_page=PER_PAGE,
        today=today,
        soon=soon,
    )
    counts = repository.counts(ctx.db, ctx.actor, today=today, soon=soon)
    ctx.vault.load({row.person.key_id for row in page.items})
    names = {row.person.id: _name(ctx.vault, row.person) for row in page.items}
    audit.record_consultations(
        ctx.db,
        actor=ctx.actor,
        action="person.vlu_queue",
        subjects=sorted({(row.person.id, row.person.reference) for row in page.items}),
        case_id=None,
    )
    query = "&".join(
        f"{key}={value}"
        for key, value in (
            ("due", filters.due),
            ("state", filters.state),
            ("area", filters.area),
            ("category", filters.category),
        )
        if value
    )
    base = str(ctx.request.url_for("vlu_queue").path)
    return ctx.render(
        "vlu/queue.html",
        {
            **_labels(),
            "page": page,
            "names": names,
            "counts": counts,
            "filters": filters,
            "today": today,
            "due_filters": DUE_FILTERS,
            "state_filters": STATE_FILTERS,
            "areas": AREAS,
            "categories": {c.value: CATEGORY_LABELS[c] for c in CrimeCategory},
            "page_url": f"{base}?{query}" if query else base,
            "unit": directory().units.get(ctx.actor.area or ""),
        },
    )


# --- a decision ------------------------------------------------------------------------------


def _decision(ctx: RequestContext) -> tuple[VluDecision, Case]:
    return repository.get_decision(
        ctx.db, ctx.actor, _uuid(ctx, "case_id"), _uuid(ctx, "decision_id")
    )


def _decision_context(
    ctx: RequestContext,
    decision: VluDecision,
    case: Case,
    *,
    errors: FieldErrors | None = None,
    values: dict[str, Any] | None = None,
) -> dict[str, Any]:
    today = _today()
    page = repository.queue(
        ctx.db,
        ctx.actor,
        QueueFilters(state="all", decision_id=decision.id),
        page=ctx.page_number(),
        per_page=PER_PAGE,
        today=today,
        soon=_soon(today),
    )
    ctx.vault.load({row.person.key_id for row in page.items} | {decision.key_id})
    names = {row.person.id: _name(ctx.vault, row.person) for row in page.items}
    audit.record_consultations(
        ctx.db,
        actor=ctx.actor,
        action="person.vlu_decision",
        subjects=[(row.person.id, row.person.reference) for row in page.items],
        case_id=case.id,
    )
    counts = repository.state_counts(ctx.db, decision.id)
    is_vlu = ctx.actor.role is Role.VLU_OFFICER
    eligible = (
        {a: service.eligible_count(ctx.db, ctx.actor, decision, a) for a in service.BULK_ACTIONS}
        if is_vlu
        else {}
    )
    staff = repository.staff_names(ctx.db, {decision.reasons_by_id})
    return {
        **_labels(),
        "decision": decision,
        "case": case,
        "unit": directory().unit_for(decision.unit),
        "reasons": ctx.vault.open(decision, "reasons"),
        "no_meeting_reason": ctx.vault.open(decision, "no_meeting_reason"),
        "reasons_by": staff.get(decision.reasons_by_id) if decision.reasons_by_id else None,
        "reasons_readability": _reasons_readability(ctx, decision, values),
        "target": TARGET,
        "max_reasons": service.MAX_REASONS,
        "may_give_reasons": ctx.actor.role is Role.PROSECUTOR and decision.reasons is None,
        "is_vlu": is_vlu,
        "counts": counts,
        "total": sum(counts.values()),
        "eligible": eligible,
        "jobs": repository.jobs_for_decision(ctx.db, decision.id) if is_vlu else [],
        "bulk_labels": BULK_LABELS,
        "checklist": service.CHECKLIST,
        "page": page,
        "names": names,
        "today": today,
        "page_url": str(
            ctx.request.url_for("vlu_decision", case_id=case.id, decision_id=decision.id).path
        ),
        "errors": errors or FieldErrors(),
        "values": values or {},
        "meeting_rule": directory().meeting,
    }


def _reasons_readability(
    ctx: RequestContext, decision: VluDecision, values: dict[str, str] | None
) -> Readability | None:
    """The readability of the words the prosecutor wrote, scored apart from the letter template
    (the template's own words would lift or sink the score of anyone's reasons)."""
    typed = (values or {}).get("reasons")
    text = typed if typed is not None else ctx.vault.open_text(decision, "reasons")
    return flesch(text) if text and text.strip() else None


def decision_view(ctx: RequestContext) -> Response:
    decision, case = _decision(ctx)
    audit.record(
        ctx.db,
        actor=ctx.actor,
        category="consultation",
        action="vlu.decision.view",
        object_type="vlu_decision",
        object_id=decision.id,
        case_id=case.id,
    )
    return ctx.render("vlu/decision.html", _decision_context(ctx, decision, case))


def decision_reasons(ctx: RequestContext) -> Response:
    decision, case = _decision(ctx)
    values = {name: ctx.field(name) for name in ("reasons", "meeting", "no_meeting_reason")}
    meeting = {"yes": True, "no": False}.get(values["meeting"])
    errors = FieldErrors()
    try:
        moved = service.supply_reasons(
            ctx.db,
            ctx.vault,
            ctx.actor,
            decision,
            reasons=values["reasons"],
            meeting_offered=meeting,
            no_meeting_reason=values["no_meeting_reason"],
            expected_version=ctx.version() or 0,
        )
    except states.TransitionRefused:
        raise HTTPException(status_code=409) from None
    except ValidationFailed as exc:
        for name, message in exc.errors.items():
            errors.add(name, message)
    except StaleEdit:
        errors.add("reasons", "Someone else updated this decision while you were working")
    if errors:
        return ctx.render(
            "vlu/decision.html",
            _decision_context(ctx, decision, case, errors=errors, values=values),
            status_code=400,
        )
    ctx.flash(f"Reasons saved: {moved} {'letter' if moved == 1 else 'letters'} can now be drafted")
    return ctx.redirect("vlu_decision", case_id=case.id, decision_id=decision.id)


def decision_bulk(ctx: RequestContext) -> Response:
    decision, case = _decision(ctx)
    action = ctx.field("action")
    errors = FieldErrors()
    try:
        job = service.enqueue_bulk(
            ctx.db,
            ctx.actor,
            decision,
            action=action,
            checklist=_checked(ctx),
        )
    except ValidationFailed as exc:
        for name, message in exc.errors.items():
            errors.add(name, message)
    if errors:
        return ctx.render(
            "vlu/decision.html",
            _decision_context(ctx, decision, case, errors=errors, values={"action": action}),
            status_code=400,
        )
    return ctx.redirect("vlu_job", job_id=job.id)


# --- a request -------------------------------------------------------------------------------


def _row(ctx: RequestContext) -> RequestRow:
    return repository.get_request(
        ctx.db, ctx.actor, _uuid(ctx, "case_id"), _uuid(ctx, "request_id")
    )


def _recipient_view(ctx: RequestContext, row: RequestRow) -> dict[str, Any]:
    recipient = service.recipient_for(ctx.vault, row.person)
    refusals = service.refusals_for(ctx.db, ctx.vault, row.request, row.person)
    return {
        "send_options": [
            (code, spec.label, refusals[code]) for code, spec in SEND_CHANNELS.items()
        ],
        "do_not_tell": recipient.safe.do_not_tell,
        "safe_times": recipient.safe.safe_times,
        "no_voicemail": recipient.safe.no_voicemail,
    }


def _request_context(
    ctx: RequestContext,
    row: RequestRow,
    *,
    errors: FieldErrors | None = None,
    values: dict[str, Any] | None = None,
    draft_text: str | None = None,
) -> dict[str, Any]:
    request, decision, person, case = row.request, row.decision, row.person, row.case
    today = _today()
    facts = service.facts_for(request, decision, ctx.actor)
    actions = states.actions_for(State(request.state), ctx.actor.role, facts)
    ctx.vault.load({person.key_id, decision.key_id})
    erased = person.erased  # their key is destroyed: nothing sealed under it can be opened

    def own(row: Any, column: str) -> Any:
        return None if erased else ctx.vault.open(row, column)

    letter = repository.letter_of(ctx.db, request.id)
    saved_body = ctx.vault.open_text(letter, "body") if letter is not None and not erased else None
    body = draft_text if draft_text is not None else saved_body
    reasons_text = ctx.vault.open_text(decision, "reasons")
    if body is None and Action.DRAFT in actions and reasons_text is not None and not erased:
        body = service.first_draft(
            ctx.vault,
            request=request,
            decision=decision,
            case=case,
            person=person,
            reasons=reasons_text,
            officer_name=ctx.principal.display_name if ctx.principal else "",
        )
    obligation = ctx.db.get(Obligation, request.obligation_id) if request.obligation_id else None
    transitions = repository.transitions_of(ctx.db, request.id)
    messages = repository.messages_of(ctx.db, request.id)
    staff = repository.staff_names(
        ctx.db,
        {t.by_id for t in transitions}
        | {m.author_id for m in messages}
        | {request.drafted_by_id, request.checked_by_id, request.sent_by_id},
    )
    context: dict[str, Any] = {
        **_labels(),
        "row": row,
        "vreq": request,
        "decision": decision,
        "case": case,
        "person": person,
        "name": _name(ctx.vault, person),
        "unit": directory().unit_for(request.unit),
        "today": today,
        "due_on": row.due_on,
        "obligation": obligation,
        "obligation_status": obligation_status(obligation, today) if obligation else None,
        "actions": [a.value for a in actions],
        "reasons": ctx.vault.open(decision, "reasons"),
        "no_meeting_reason": ctx.vault.open(decision, "no_meeting_reason"),
        "letter": letter,
        "body": body or "",
        "readability": flesch(body) if body else None,
        "reasons_readability": _reasons_readability(ctx, decision, None),
        "target": TARGET,
        "check_notes": own(request, "check_notes"),
        "review_notes": own(request, "review_notes"),
        "checklist": service.CHECKLIST,
        "transitions": transitions,
        "messages": [(m, own(m, "body")) for m in messages],
        "staff": staff,
        "errors": errors or FieldErrors(),
        "values": values or {},
        "review_labels": {a.value: label for a, label in REVIEW_LABELS.items()},
        "may_message": ctx.actor.role in service.MESSAGE_ROLES,
        "may_read_letter": ctx.actor.role in {Role.VLU_OFFICER, Role.PROSECUTOR},
        "drafter_is_me": facts.actor_drafted and request.state == State.DRAFTED.value,
        "needs_redraft": request.state == State.NEEDS_REDRAFT.value,
        "template_title": TEMPLATES.get(decision.kind, ""),
        "sent_on_long": long_date(request.sent_on) if request.sent_on else "",
        "send_options": [],
        "do_not_tell": "",
        "safe_times": "",
        "no_voicemail": False,
    }
    if Action.SEND in actions:
        context.update(_recipient_view(ctx, row))
    return context


def _render_request(
    ctx: RequestContext, row: RequestRow, *, status_code: int = 200, **kwargs: Any
) -> Response:
    return ctx.render(
        "vlu/request.html", _request_context(ctx, row, **kwargs), status_code=status_code
    )


def request_view(ctx: RequestContext) -> Response:
    row = _row(ctx)
    audit.record(
        ctx.db,
        actor=ctx.actor,
        category="consultation",
        action="vlu.request.view",
        object_type="vlu_request",
        object_id=row.request.id,
        case_id=row.case.id,
        subject_id=row.person.id,
        subject_ref=row.person.reference,
    )
    return _render_request(ctx, row)


def _errors_from(exc: ValidationFailed) -> FieldErrors:
    errors = FieldErrors()
    for name, message in exc.errors.items():
        errors.add(name, message)
    return errors


def _stale(field: str) -> FieldErrors:
    errors = FieldErrors()
    errors.add(field, "Someone else updated this request while you were working: check it again")
    return errors


def _refused(field: str, exc: states.GuardRefused | service.SendRefused) -> FieldErrors:
    errors = FieldErrors()
    errors.add(field, exc.reason)
    return errors


def request_draft(ctx: RequestContext) -> Response:
    row = _row(ctx)
    body = ctx.field("body")
    if ctx.field("intent") == "readability":
        return _render_request(ctx, row, draft_text=body)
    if ctx.field("intent") == "template":
        return _render_request(ctx, row, draft_text=_template_text(ctx, row))
    try:
        service.save_draft(
            ctx.db,
            ctx.vault,
            ctx.actor,
            row.request,
            row.decision,
            row.person,
            body=body,
            expected_version=ctx.version(),
        )
    except states.TransitionRefused:
        raise HTTPException(status_code=409) from None
    except ValidationFailed as exc:
        return _render_request(ctx, row, errors=_errors_from(exc), draft_text=body, status_code=400)
    except StaleEdit:
        return _render_request(ctx, row, errors=_stale("body"), draft_text=body, status_code=409)
    ctx.flash("Letter saved. It now needs checking by a second officer")
    return ctx.redirect("vlu_request", case_id=row.case.id, request_id=row.request.id)


def _template_text(ctx: RequestContext, row: RequestRow) -> str:
    reasons = ctx.vault.open_text(row.decision, "reasons") or ""
    return service.first_draft(
        ctx.vault,
        request=row.request,
        decision=row.decision,
        case=row.case,
        person=row.person,
        reasons=reasons,
        officer_name=ctx.principal.display_name if ctx.principal else "",
    )


def request_readability(ctx: RequestContext) -> Response:
    """The score for the text being typed (htmx): computed, never stored, nothing logged."""
    row = _row(ctx)
    body = ctx.field("body")
    if not ctx.is_htmx:
        return _render_request(ctx, row, draft_text=body)
    return ctx.render(
        "vlu/request.html",
        {"readability": flesch(body) if body.strip() else None, "target": TARGET},
        block="readability",
    )


def request_check(ctx: RequestContext) -> Response:
    row = _row(ctx)
    checklist = _checked(ctx)
    values: dict[str, Any] = {"notes": ctx.field("notes"), "checklist": sorted(checklist)}
    decision = ctx.field("decision")
    try:
        if decision == "approve":
            service.approve(
                ctx.db,
                ctx.vault,
                ctx.actor,
                row.request,
                row.decision,
                row.person,
                checklist=checklist,
                notes=values["notes"],
                expected_version=ctx.version(),
            )
            ctx.flash("Letter approved: it can now be sent")
        elif decision == "return":
            service.return_for_changes(
                ctx.db,
                ctx.vault,
                ctx.actor,
                row.request,
                row.decision,
                row.person,
                checklist=checklist,
                notes=values["notes"],
                expected_version=ctx.version(),
            )
            ctx.flash("Letter returned for changes")
        else:
            errors = FieldErrors()
            errors.add("checklist", "Choose whether to approve the letter or return it")
            return _render_request(ctx, row, errors=errors, values=values, status_code=400)
    except states.TransitionRefused:
        raise HTTPException(status_code=409) from None
    except states.GuardRefused as exc:
        return _render_request(
            ctx, row, errors=_refused("checklist", exc), values=values, status_code=400
        )
    except ValidationFailed as exc:
        return _render_request(ctx, row, errors=_errors_from(exc), values=values, status_code=400)
    except StaleEdit:
        return _render_request(ctx, row, errors=_stale("checklist"), status_code=409)
    return ctx.redirect("vlu_request", case_id=row.case.id, request_id=row.request.id)


def request_send(ctx: RequestContext) -> Response:
    row = _row(ctx)
    values = {"channel": ctx.field("channel")}
    try:
        service.send(
            ctx.db,
            ctx.vault,
            ctx.actor,
            row.request,
            row.decision,
            row.person,
            channel=values["channel"],
            expected_version=ctx.version(),
        )
    except states.TransitionRefused:
        raise HTTPException(status_code=409) from None
    except (states.GuardRefused, service.SendRefused) as exc:
        return _render_request(
            ctx, row, errors=_refused("channel", exc), values=values, status_code=400
        )
    except ValidationFailed as exc:
        return _render_request(ctx, row, errors=_errors_from(exc), values=values, status_code=400)
    except StaleEdit:
        return _render_request(ctx, row, errors=_stale("channel"), status_code=409)
    ctx.flash("Letter sent. The Victims' Code entitlement is marked as met")
    return ctx.redirect("vlu_request", case_id=row.case.id, request_id=row.request.id)


def request_review(ctx: RequestContext) -> Response:
    row = _row(ctx)
    values: dict[str, Any] = {name: ctx.field(name) for name in ("action", "outcome", "notes")}
    for part in ("day", "month", "year"):
        values[f"on-{part}"] = ctx.field(f"on-{part}")
    on, problem = parse_date_parts(
        values["on-day"], values["on-month"], values["on-year"], label="The date"
    )
    errors = FieldErrors()
    if problem:
        errors.add("on", problem)
    action = Action(values["action"]) if values["action"] in service.REVIEW_ACTIONS else None
    if action is None:
        errors.add("action", "Select what happened")
    if not errors:
        assert action is not None
        try:
            service.record_review_step(
                ctx.db,
                ctx.vault,
                ctx.actor,
                row.request,
                row.decision,
                row.person,
                action=action,
                on=on,
                outcome=values["outcome"],
                notes=values["notes"],
                expected_version=ctx.version(),
            )
        except states.TransitionRefused:
            raise HTTPException(status_code=409) from None
        except states.GuardRefused as exc:
            errors = _refused("on", exc)
        except ValidationFailed as exc:
            errors = _errors_from(exc)
        except StaleEdit:
            errors = _stale("on")
    if errors:
        return _render_request(ctx, row, errors=errors, values=values, status_code=400)
    assert action is not None
    ctx.flash(f"{action.label}: recorded")
    return ctx.redirect("vlu_request", case_id=row.case.id, request_id=row.request.id)


def request_message(ctx: RequestContext) -> Response:
    row = _row(ctx)
    text = ctx.field("message")
    try:
        service.post_message(ctx.db, ctx.vault, ctx.actor, row.request, row.person, body=text)
    except ValidationFailed as exc:
        if ctx.is_htmx:  # htmx swaps only 2xx answers: the fragment carries the error
            context = _request_context(ctx, row, errors=_errors_from(exc), values={"message": text})
            return ctx.render("vlu/request.html", context, block="conversation")
        return _render_request(
            ctx, row, errors=_errors_from(exc), values={"message": text}, status_code=400
        )
    if ctx.is_htmx:
        return ctx.render("vlu/request.html", _request_context(ctx, row), block="conversation")
    ctx.flash("Message posted")
    return ctx.redirect("vlu_request", case_id=row.case.id, request_id=row.request.id)


# --- the letter, printable and as a PDF ------------------------------------------------------


def _letter_context(ctx: RequestContext) -> dict[str, Any]:
    row = _row(ctx)
    letter = repository.letter_of(ctx.db, row.request.id)
    if letter is None or row.person.erased:
        raise CaseNotFound(row.request.id)
    if row.request.state == State.NEEDS_REDRAFT.value:
        raise LetterWithheld(row)
    body = ctx.vault.open_text(letter, "body") or ""
    audit.record(
        ctx.db,
        actor=ctx.actor,
        category="consultation",
        action="vlu.letter.view",
        object_type="vlu_letter",
        object_id=letter.id,
        case_id=row.case.id,
        subject_id=row.person.id,
        subject_ref=row.person.reference,
    )
    return {
        "row": row,
        "case": row.case,
        "vreq": row.request,
        "person": row.person,
        "letter": letter,
        "paragraphs": [p for p in body.split("\n\n") if p.strip()],
        "body": body,
        "unit": directory().unit_for(row.request.unit),
        "dated": long_date(row.request.sent_on or _today()),
    }


class LetterWithheld(Exception):
    """The letter named a person whose identity has since been sealed: it is neither shown to
    print nor downloaded until it is redrafted."""

    def __init__(self, row: RequestRow) -> None:
        super().__init__("letter needs redrafting")
        self.row = row


def _withheld(ctx: RequestContext, exc: LetterWithheld) -> Response:
    row = exc.row
    return ctx.render(
        "vlu/letter_withheld.html",
        {"case": row.case, "vreq": row.request, "person": row.person},
        status_code=409,
    )


def letter_view(ctx: RequestContext) -> Response:
    try:
        return ctx.render("vlu/letter.html", _letter_context(ctx))
    except LetterWithheld as exc:
        return _withheld(ctx, exc)


def letter_pdf(ctx: RequestContext) -> Response:
    try:
        context = _letter_context(ctx)
    except LetterWithheld as exc:
        return _withheld(ctx, exc)
    try:
        body = letter_pdf_bytes(
            unit_name=context["unit"].name,
            dated=context["dated"],
            text=context["body"],
            urn=context["case"].urn,
        )
    except Unprintable as exc:
        back = ctx.request.url_for(
            "vlu_request", case_id=context["case"].id, request_id=context["vreq"].id
        ).path
        return ctx.render(
            "rendering/unprintable.html",
            {"reason": exc.reason, "back": back, "back_label": "Back to the letter's page"},
            status_code=422,
        )
    name = f"decision-letter-{context['case'].urn}-{context['person'].reference}.pdf"
    return Response(
        body,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )


# --- a bulk job's progress -------------------------------------------------------------------


def job_view(ctx: RequestContext) -> Response:
    job: Job = repository.get_job(ctx.db, ctx.actor, _uuid(ctx, "job_id"))
    decision = ctx.db.get(VluDecision, job.subject_id) if job.subject_id else None
    finished = job.state in {"done", "failed"}
    percent = (
        100 if finished else int(100 * (job.done + job.skipped) / job.total) if job.total else 0
    )
    return ctx.render(
        "vlu/job.html",
        {
            "job": job,
            "decision": decision,
            "label": BULK_LABELS.get(job.kind.removeprefix("vlu."), "Background work"),
            "finished": finished,
            "percent": min(percent, 100),
            "decision_labels": {k.value: k.label for k in EventKind},
        },
        block="progress",
    )


routes = [
    PortalRoute("/vlu", queue, access=CASE_TEAM, name="vlu_queue"),
    PortalRoute(
        "/vlu/waiting-for-reasons", waiting_for_reasons, access=PROSECUTORS, name="vlu_work"
    ),
    PortalRoute(
        "/vlu/cases/{case_id}/decisions/{decision_id}",
        decision_view,
        access=CASE_TEAM,
        name="vlu_decision",
    ),
    PortalRoute(
        "/vlu/cases/{case_id}/decisions/{decision_id}/reasons",
        decision_reasons,
        access=PROSECUTORS,
        methods=["POST"],
        name="vlu_reasons",
    ),
    PortalRoute(
        "/vlu/cases/{case_id}/decisions/{decision_id}/bulk",
        decision_bulk,
        access=VLU_ONLY,
        methods=["POST"],
        name="vlu_bulk",
    ),
    PortalRoute(
        "/vlu/cases/{case_id}/requests/{request_id}",
        request_view,
        access=CASE_TEAM,
        name="vlu_request",
    ),
    PortalRoute(
        "/vlu/cases/{case_id}/requests/{request_id}/draft",
        request_draft,
        access=VLU_ONLY,
        methods=["POST"],
        name="vlu_draft",
    ),
    PortalRoute(
        "/vlu/cases/{case_id}/requests/{request_id}/readability",
        request_readability,
        access=VLU_ONLY,
        methods=["POST"],
        name="vlu_readability",
    ),
    PortalRoute(
        "/vlu/cases/{case_id}/requests/{request_id}/check",
        request_check,
        access=VLU_ONLY,
        methods=["POST"],
        name="vlu_check",
    ),
    PortalRoute(
        "/vlu/cases/{case_id}/requests/{request_id}/send",
        request_send,
        access=VLU_ONLY,
        methods=["POST"],
        name="vlu_send",
    ),
    PortalRoute(
        "/vlu/cases/{case_id}/requests/{request_id}/review",
        request_review,
        access=REVIEWERS,
        methods=["POST"],
        name="vlu_review",
    ),
    PortalRoute(
        "/vlu/cases/{case_id}/requests/{request_id}/messages",
        request_message,
        access=CASE_TEAM,
        methods=["POST"],
        name="vlu_message",
    ),
    PortalRoute(
        "/vlu/cases/{case_id}/requests/{request_id}/letter",
        letter_view,
        access=REVIEWERS,
        name="vlu_letter",
    ),
    PortalRoute(
        "/vlu/cases/{case_id}/requests/{request_id}/letter.pdf",
        letter_pdf,
        access=REVIEWERS,
        name="vlu_letter_pdf",
    ),
    PortalRoute("/vlu/jobs/{job_id}", job_view, access=VLU_ONLY, name="vlu_job"),
]
