"""My work, obligation pages and the victim's view of their rights."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import select
from starlette.responses import Response

from portal.accounts.models import User
from portal.accounts.permissions import Permission
from portal.accounts.roles import Role
from portal.audit import service as audit
from portal.cases import repository as cases_repo
from portal.cases.errors import CaseNotFound, StaleEdit, ValidationFailed
from portal.clock import LONDON as ENGLAND_AND_WALES_TZ
from portal.clock import utc_now
from portal.victims_code import lifecycle
from portal.victims_code import repository as work_repo
from portal.victims_code import told_check as told_check_service
from portal.victims_code.calendar import ENGLAND_AND_WALES
from portal.victims_code.lifecycle import CHANNELS, Status, status
from portal.victims_code.rules import rules_in_force
from portal.victims_code.service import entitlement_of, explain, rules_version
from portal.web.forms import FieldErrors, parse_date_parts
from portal.web.routing import PortalRoute, RequestContext, allow, requires

WORKERS = allow(Role.WITNESS_CARE_OFFICER, Role.PROSECUTOR, Role.VLU_OFFICER)
READERS = allow(Role.WITNESS_CARE_OFFICER, Role.PROSECUTOR, Role.VLU_OFFICER, Role.AUDITOR)
PER_PAGE = 25
FILTERS = {
    "overdue": "Overdue",
    "due_today": "Due today",
    "due_soon": "Due in the next 5 working days",
}

RIGHTS = {
    1: "To be able to understand and to be understood",
    2: "To have the details of the crime recorded without unjustified delay",
    3: "To be provided with information when reporting the crime",
    4: (
        "To be referred to services that support victims and have services and support "
        "tailored to your needs"
    ),
    5: "To be provided with information about compensation",
    6: "To be provided with information about the investigation and prosecution",
    7: "To make a Victim Personal Statement",
    8: "To be given information about the trial, trial process and your role as a witness",
    9: "To be given information about the outcome of the case and any appeals",
    10: "To be paid expenses and have property returned",
    11: "To be given information about the offender following a conviction",
    12: "To make a complaint about your rights not being met",
}


def _today_and_soon() -> tuple[date, date]:
    today = utc_now().astimezone(ENGLAND_AND_WALES_TZ).date()
    return today, ENGLAND_AND_WALES.add_working_days(today, 5)


def my_work(ctx: RequestContext) -> Response:
    today, soon = _today_and_soon()
    only = ctx.request.query_params.get("show", "")
    only = only if only in FILTERS else ""
    counts = work_repo.counts(ctx.db, ctx.actor, today=today, soon=soon)
    page_number = ctx.page_number()
    rows = work_repo.open_work(
        ctx.db,
        ctx.actor,
        page=page_number,
        per_page=PER_PAGE,
        only=only or None,
        today=today,
        soon=soon,
    )
    ctx.vault.load({person.key_id for _, _, person, _ in rows})
    names = {person.id: ctx.vault.open(person, "full_name") for _, _, person, _ in rows}
    audit.record_consultations(
        ctx.db,
        actor=ctx.actor,
        action="person.work_list",
        subjects=sorted({(person.id, person.reference) for _, _, person, _ in rows}),
        case_id=None,
    )
    shown_total = {
        "overdue": counts.overdue,
        "due_today": counts.due_today,
        "due_soon": counts.due_soon,
    }.get(only, counts.total)
    return ctx.render(
        "work/index.html",
        {
            "counts": counts,
            "rows": rows,
            "names": names,
            "only": only,
            "filters": FILTERS,
            "today": today,
            "statuses": {o.id: status(o, today) for o, _, _, _ in rows},
            "titles": {o.id: entitlement_of(o).title for o, _, _, _ in rows},
            "page_number": page_number,
            "has_next": page_number * PER_PAGE < shown_total,
            "channels": {
                o.id: lifecycle.told_options(ctx.vault, o, person) for o, _, person, _ in rows
            },
            "met_by": {o.id: entitlement_of(o).met_by for o, _, _, _ in rows},
        },
        block="work" if ctx.request.query_params.get("page") or only else None,
    )


def _obligation(ctx: RequestContext) -> tuple[Any, Any, Any, Any]:
    try:
        obligation_id = uuid.UUID(str(ctx.request.path_params["obligation_id"]))
    except ValueError:
        raise CaseNotFound(None) from None
    return work_repo.get_obligation(ctx.db, ctx.actor, obligation_id)


def _detail_context(ctx: RequestContext, row: tuple[Any, Any, Any, Any]) -> dict[str, Any]:
    obligation, party, person, case = row
    today, _ = _today_and_soon()
    met_by = None
    if obligation.met_by_id:
        met_by = ctx.db.scalar(select(User.display_name).where(User.id == obligation.met_by_id))
    return {
        "obligation": obligation,
        "entitlement": entitlement_of(obligation),
        "explanation": explain(obligation),
        "status": status(obligation, today),
        "case": case,
        "person": person,
        "name": ctx.vault.open(person, "full_name"),
        "evidence": ctx.vault.open(obligation, "evidence"),
        "reason": ctx.vault.open(obligation, "reason"),
        "met_by_name": met_by,
        "channels": lifecycle.told_options(ctx.vault, obligation, person),
        "channel_labels": CHANNELS,
        "met_by": entitlement_of(obligation).met_by,
        "late_reasons": [
            (r.code, r.label) for r in rules_version(obligation.rules_version).reasons_for("late")
        ],
        "not_met_reasons": [
            (r.code, r.label)
            for r in rules_version(obligation.rules_version).reasons_for("not_met")
        ],
        "reason_labels": {
            r.code: r.label for r in rules_version(obligation.rules_version).good_reasons
        },
        "may_change": lifecycle.BODY_ROLES.get(obligation.responsible_body) == ctx.actor.role.value,
    }


def obligation_detail(ctx: RequestContext) -> Response:
    row = _obligation(ctx)
    _, _, person, case = row
    audit.record(
        ctx.db,
        actor=ctx.actor,
        category="consultation",
        action="obligation.view",
        object_type="obligation",
        object_id=row[0].id,
        case_id=case.id,
        subject_id=person.id,
        subject_ref=person.reference,
    )
    return ctx.render(
        "work/obligation.html",
        {**_detail_context(ctx, row), "errors": FieldErrors(), "values": {}},
    )


def obligation_met(ctx: RequestContext) -> Response:
    row = _obligation(ctx)
    obligation = row[0]
    values = {
        name: ctx.field(name)
        for name in ("channel", "evidence", "version", "late_reason", "late_detail")
    }
    for part in ("day", "month", "year"):
        values[f"met_on-{part}"] = ctx.field(f"met_on-{part}")
    errors = FieldErrors()
    met_on, problem = parse_date_parts(
        values["met_on-day"],
        values["met_on-month"],
        values["met_on-year"],
        label="The date the victim was told",
    )
    if ctx.field("when") == "today":
        met_on, problem = utc_now().astimezone(ENGLAND_AND_WALES_TZ).date(), ""
    if problem:
        errors.add("met_on", problem)
    for name, message in lifecycle.validate_met(
        obligation, met_on=met_on, channel=values["channel"], evidence=values["evidence"]
    ).items():
        if not (name == "met_on" and problem):
            errors.add(name, message)
    stale = False
    if not errors:
        try:
            lifecycle.mark_met(
                ctx.db,
                ctx.vault,
                ctx.actor,
                obligation,
                met_on=met_on,
                channel=values["channel"],
                evidence=values["evidence"],
                expected_version=ctx.version() or 0,
                late_reason=values["late_reason"],
                late_detail=values["late_detail"],
            )
        except ValidationFailed as exc:
            for name, message in exc.errors.items():
                errors.add(name, message)
        except StaleEdit as exc:
            stale = True
            values["version"] = str(exc.current_version)
            errors.add(
                "channel", "Someone else updated this while you were working: check it again"
            )
    if errors:
        context = {**_detail_context(ctx, row), "errors": errors, "values": values}
        return ctx.render("work/obligation.html", context, status_code=409 if stale else 400)
    if ctx.is_htmx and ctx.field("from") == "work":
        today, _ = _today_and_soon()
        return ctx.render(
            "work/index.html",
            {"o": obligation, "status_now": status(obligation, today)},
            block="done_row",
        )
    ctx.flash("Marked as met")
    return ctx.redirect("obligation_detail", obligation_id=obligation.id)


def obligation_close(ctx: RequestContext) -> Response:
    row = _obligation(ctx)
    obligation = row[0]
    values = {name: ctx.field(name) for name in ("state", "reason_code", "reason", "version")}
    errors = FieldErrors()
    stale = False
    try:
        lifecycle.close_without_meeting(
            ctx.db,
            ctx.vault,
            ctx.actor,
            obligation,
            state=values["state"],
            reason=values["reason"],
            expected_version=ctx.version() or 0,
            reason_code=values["reason_code"],
        )
    except ValidationFailed as exc:
        for name, message in exc.errors.items():
            errors.add(name, message)
    except StaleEdit as exc:
        stale = True
        values["version"] = str(exc.current_version)
        errors.add("state", "Someone else updated this while you were working: check it again")
    if errors:
        context = {**_detail_context(ctx, row), "errors": errors, "values": values}
        return ctx.render("work/obligation.html", context, status_code=409 if stale else 400)
    ctx.flash("Updated")
    return ctx.redirect("obligation_detail", obligation_id=obligation.id)


def obligation_reopen(ctx: RequestContext) -> Response:
    row = _obligation(ctx)
    try:
        lifecycle.reopen(ctx.db, ctx.actor, row[0], expected_version=ctx.version() or 0)
    except StaleEdit:
        ctx.flash("Someone else updated this while you were working: check it again")
        return ctx.redirect("obligation_detail", obligation_id=row[0].id)
    ctx.flash("Reopened: the entitlement is owed again")
    return ctx.redirect("obligation_detail", obligation_id=row[0].id)


def told_check(ctx: RequestContext) -> Response:
    """The auditor's list of "told" records made through an unsafe channel (the data check)."""
    rows = told_check_service.findings(ctx.db, ctx.actor)
    return ctx.render(
        "work/told_check.html",
        {
            "rows": rows,
            "problems": told_check_service.PROBLEMS,
            "channel_labels": CHANNELS,
            "checked_at": max((r.checked_at for r in rows), default=None),
        },
    )


def rights(ctx: RequestContext) -> Response:
    try:
        case_id = uuid.UUID(str(ctx.request.path_params["case_id"]))
        person_id = uuid.UUID(str(ctx.request.path_params["person_id"]))
    except ValueError:
        raise CaseNotFound(None) from None
    case, party, person = cases_repo.party_in_case(ctx.db, ctx.actor, case_id, person_id)
    today, _ = _today_and_soon()
    obligations = work_repo.for_party(ctx.db, party.id)
    rules = rules_in_force(today)
    by_right: dict[int, list[tuple[Any, Status | None, str]]] = {n: [] for n in RIGHTS}
    owed = {o.entitlement for o in obligations}
    for o in obligations:
        by_right[o.right].append((o, status(o, today), entitlement_of(o).title))
    not_yet = {
        n: [e.title for e in rules.entitlements if e.right == n and e.code not in owed]
        for n in RIGHTS
    }
    audit.record(
        ctx.db,
        actor=ctx.actor,
        category="consultation",
        action="person.rights",
        object_type="person",
        object_id=person.id,
        case_id=case.id,
        subject_id=person.id,
        subject_ref=person.reference,
    )
    return ctx.render(
        "work/rights.html",
        {
            "case": case,
            "person": person,
            "name": ctx.vault.open(person, "full_name"),
            "rights": RIGHTS,
            "by_right": by_right,
            "not_yet": not_yet,
            "rules": rules,
        },
    )


routes = [
    PortalRoute("/work", my_work, access=WORKERS, name="my_work"),
    PortalRoute(
        "/compliance/told-unsafely",
        told_check,
        access=requires(Permission.VIEW_COMPLIANCE),
        name="told_check",
    ),
    PortalRoute(
        "/obligations/{obligation_id}",
        obligation_detail,
        access=READERS,
        name="obligation_detail",
    ),
    PortalRoute(
        "/obligations/{obligation_id}/met",
        obligation_met,
        access=WORKERS,
        methods=["POST"],
        name="obligation_met",
    ),
    PortalRoute(
        "/obligations/{obligation_id}/close",
        obligation_close,
        access=WORKERS,
        methods=["POST"],
        name="obligation_close",
    ),
    PortalRoute(
        "/obligations/{obligation_id}/reopen",
        obligation_reopen,
        access=WORKERS,
        methods=["POST"],
        name="obligation_reopen",
    ),
    PortalRoute(
        "/cases/{case_id}/people/{person_id}/rights", rights, access=READERS, name="person_rights"
    ),
]
