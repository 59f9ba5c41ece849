"""Special measures pages: the case at a glance, each witness's eligibility, the application's
forms (identify and request; draft, serve, decide, vary), the printable application and the
applications waiting in My work.

Access is declared per route (deny by default) and checked again by the state machine; every
case, witness and application is looked up inside the actor's case scope (404 otherwise). Every
page that shows personal data is logged (ids and references only).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date
from functools import wraps
from typing import Any

from sqlalchemy import select
from starlette.exceptions import HTTPException
from starlette.responses import Response

from portal.accounts.models import User
from portal.accounts.roles import Role
from portal.audit import service as audit
from portal.cases import repository as cases_repo
from portal.cases.errors import CaseNotFound, StaleEdit, ValidationFailed
from portal.cases.models import Case, CaseParty
from portal.cases.reference import CourtType
from portal.clock import LONDON, utc_now
from portal.people.models import Person
from portal.rendering import Unprintable
from portal.special_measures import repository
from portal.special_measures import service as sm
from portal.special_measures.eligibility import (
    MEASURES,
    S16_CONDITIONS,
    S17_FACTORS,
    measure_warnings,
)
from portal.special_measures.models import DRAFT_TEXTS, SpecialMeasuresApplication
from portal.special_measures.printing import application_pdf
from portal.special_measures.states import (
    OPEN,
    PENDING,
    Action,
    Outcome,
    State,
    TransitionRefused,
    actions_for,
)
from portal.victims_code.service import case_facts
from portal.web.forms import FieldErrors, date_parts, parse_date_parts
from portal.web.routing import PortalRoute, RequestContext, allow

READERS = allow(Role.WITNESS_CARE_OFFICER, Role.PROSECUTOR, Role.AUDITOR)
EDITORS = allow(Role.WITNESS_CARE_OFFICER, Role.PROSECUTOR)
WCO_ONLY = allow(Role.WITNESS_CARE_OFFICER)
PROSECUTORS = allow(Role.PROSECUTOR)
PER_PAGE = 25
SOURCE_LABELS = {
    "witness_care_unit": "Witness care unit needs assessment",
    "police_mg2": "Police special measures assessment (MG2)",
    "prosecutor": "Prosecutor's review",
}
HEARING_CHOICES = [("yes", "Yes"), ("no", "No: the court can decide without a hearing")]
TEXT_FIELDS = ("wis_reference", *DRAFT_TEXTS)
DATE_FIELDS = (
    "intermediary_requested_on",
    "intermediary_needed_by",
    "intermediary_matched_on",
    "cross_examination_on",
)

Handler = Callable[[RequestContext], Response]


def _today() -> date:
    return utc_now().astimezone(LONDON).date()


def _uuid(ctx: RequestContext, name: str) -> uuid.UUID:
    try:
        return uuid.UUID(str(ctx.request.path_params[name]))
    except ValueError:
        raise CaseNotFound(None) from None


def refuses_conflicts(handler: Handler) -> Handler:
    """A transition the application's state does not allow answers 409 (Conflict)."""

    @wraps(handler)
    def wrapped(ctx: RequestContext) -> Response:
        try:
            return handler(ctx)
        except TransitionRefused:
            raise HTTPException(status_code=409) from None

    return wrapped


def _pseudonymised(ctx: RequestContext) -> bool:
    """Auditors: the vault opens no identity and no free text for them, so eligibility (which
    would be worked out from withheld details) is not shown either."""
    return ctx.vault.pseudonymised


def _name(ctx: RequestContext, person: Person) -> Any:
    if person.erased:
        return person.reference
    return ctx.vault.open(person, "full_name")


def _staff(ctx: RequestContext, ids: set[Any]) -> dict[Any, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = ctx.db.execute(select(User.id, User.display_name).where(User.id.in_(wanted))).all()
    return {row[0]: row[1] for row in rows}


def _dates(
    ctx: RequestContext, values: dict[str, Any], names: tuple[str, ...], labels: dict[str, str]
) -> tuple[dict[str, date | None], FieldErrors]:
    errors = FieldErrors()
    parsed: dict[str, date | None] = {}
    for name in names:
        for part in ("day", "month", "year"):
            values[f"{name}-{part}"] = ctx.field(f"{name}-{part}")
        parsed[name], problem = parse_date_parts(
            values[f"{name}-day"],
            values[f"{name}-month"],
            values[f"{name}-year"],
            label=labels[name],
        )
        if problem:
            errors.add(name, problem)
    return parsed, errors


def _date_values(values: dict[str, Any], name: str, day: date | None) -> None:
    for part, text in date_parts(day).items():
        values[f"{name}-{part}"] = text


def _merge(errors: FieldErrors, problems: dict[str, str]) -> None:
    for name, message in problems.items():
        errors.add(name, message)


def _common(case: Case) -> dict[str, Any]:
    return {
        "case": case,
        "court": CourtType(case.court_type).label,
        "measure_labels": MEASURES,
        "states": {s.value: s.label for s in State},
        "outcomes": {o.value: o.label for o in Outcome},
    }


# --- the case at a glance -------------------------------------------------------------------


def case_view(ctx: RequestContext) -> Response:
    case = cases_repo.get_case(ctx.db, ctx.actor, _uuid(ctx, "case_id"))
    today = _today()
    page = repository.witnesses_page(ctx.db, case, page=ctx.page_number(), per_page=PER_PAGE)
    party_ids = [party.id for party, _ in page.items]
    assessments = repository.assessments_of(ctx.db, party_ids)
    applications = repository.applications_of(ctx.db, party_ids)
    plea_on = repository.not_guilty_pleas(ctx.db, {case.id}).get(case.id)
    due = sm.deadline(case, plea_on)
    offences = case_facts(ctx.db, case).offences
    pseudonymised = _pseudonymised(ctx)
    ctx.vault.load({person.key_id for _, person in page.items})
    rows = []
    for party, person in page.items:
        latest = applications[party.id][0] if applications[party.id] else None
        eligibility = None
        if not pseudonymised and not person.erased:
            eligibility = sm.eligibility_of(
                ctx.vault,
                offences=offences,
                party=party,
                person=person,
                assessment=assessments.get(party.id),
                today=today,
                hearing_on=latest.decided_on if latest else None,
            )
        status = sm.deadline_status(latest, due, today) if latest else None
        rows.append(
            {
                "party": party,
                "person": person,
                "name": _name(ctx, person),
                "eligibility": eligibility,
                "application": latest,
                "status": status,
            }
        )
    rank = {"overdue": 0, "due_today": 1, "due": 2, "no_plea": 3}
    rows.sort(key=lambda r: rank.get(r["status"].code, 4) if r["status"] else 5)
    if not pseudonymised:
        audit.record_consultations(
            ctx.db,
            actor=ctx.actor,
            action="person.special_measures_list",
            subjects=[(person.id, person.reference) for _, person in page.items],
            case_id=case.id,
        )
    sm.record_view(
        ctx.db,
        ctx.actor,
        action="special_measures.case_view",
        object_type="case",
        object_id=case.id,
        case_id=case.id,
    )
    return ctx.render(
        "special_measures/case.html",
        {
            **_common(case),
            "rows": rows,
            "page": page,
            "plea_on": plea_on,
            "due": due,
            "today": today,
            "pseudonymised": pseudonymised,
            "page_url": str(ctx.request.url_for("sm_case", case_id=case.id).path),
        },
        block="witnesses" if "page" in ctx.request.query_params else None,
    )


# --- one witness ----------------------------------------------------------------------------


def _witness(ctx: RequestContext) -> tuple[Case, CaseParty, Person]:
    return repository.witness_in_case(
        ctx.db, ctx.actor, _uuid(ctx, "case_id"), _uuid(ctx, "person_id")
    )


def witness_view(ctx: RequestContext) -> Response:
    case, party, person = _witness(ctx)
    if not party.is_witness:
        raise CaseNotFound(case.id)
    today = _today()
    assessment = repository.assessment_of(ctx.db, party.id)
    applications = repository.applications_of(ctx.db, [party.id])[party.id]
    plea_on = repository.not_guilty_pleas(ctx.db, {case.id}).get(case.id)
    due = sm.deadline(case, plea_on)
    pseudonymised = _pseudonymised(ctx)
    eligibility = details = None
    if not pseudonymised and not person.erased:
        eligibility = sm.eligibility_of(
            ctx.vault,
            offences=case_facts(ctx.db, case).offences,
            party=party,
            person=person,
            assessment=assessment,
            today=today,
        )
        details = sm.details_of(ctx.vault, assessment)
    sm.record_view(
        ctx.db,
        ctx.actor,
        action="special_measures.witness_view",
        object_type="person",
        object_id=person.id,
        case_id=case.id,
        person=person,
    )
    return ctx.render(
        "special_measures/witness.html",
        {
            **_common(case),
            "party": party,
            "person": person,
            "name": _name(ctx, person),
            "assessment": assessment,
            "details": details,
            "eligibility": eligibility,
            "applications": [(a, sm.deadline_status(a, due, today)) for a in applications],
            "has_open": any(State(a.state) in OPEN for a in applications),
            "pseudonymised": pseudonymised,
            "source_labels": SOURCE_LABELS,
            "conditions": S16_CONDITIONS,
            "factors": S17_FACTORS,
            "may_assess": ctx.actor.role in {Role.WITNESS_CARE_OFFICER, Role.PROSECUTOR},
            "may_identify": ctx.actor.role is Role.WITNESS_CARE_OFFICER,
            "staff": _staff(ctx, {assessment.recorded_by_id} if assessment else set()),
        },
    )


# --- the eligibility assessment -------------------------------------------------------------


def _assessment_context(
    case: Case, person: Person, name: Any, values: dict[str, Any], errors: FieldErrors
) -> dict[str, Any]:
    return {
        **_common(case),
        "person": person,
        "name": name,
        "values": values,
        "errors": errors,
        "sources": list(SOURCE_LABELS.items()),
        "conditions": list(S16_CONDITIONS.items()),
        "factors": list(S17_FACTORS.items()),
    }


def assessment_form(ctx: RequestContext) -> Response:
    case, party, person = _witness(ctx)
    if not party.is_witness or person.erased:
        raise CaseNotFound(case.id)
    assessment = repository.assessment_of(ctx.db, party.id)
    details = sm.details_of(ctx.vault, assessment)
    values: dict[str, Any] = {
        "source": assessment.source
        if assessment
        else ("prosecutor" if ctx.actor.role is Role.PROSECUTOR else "witness_care_unit"),
        "conditions": [c for c in S16_CONDITIONS if getattr(details, c)],
        "s16_notes": details.s16_notes,
        "fear_or_distress": "yes" if details.fear_or_distress else ("no" if assessment else ""),
        "factors": list(details.factors),
        "s17_notes": details.s17_notes,
        "views": details.views,
        "opt_outs": [
            name
            for name in ("declines_automatic", "opts_out_primary_rule")
            if getattr(details, name)
        ],
        "version": str(assessment.version) if assessment else "",
    }
    _date_values(values, "hearing_on", assessment.hearing_on if assessment else None)
    sm.record_view(
        ctx.db,
        ctx.actor,
        action="special_measures.assessment_view",
        object_type="person",
        object_id=person.id,
        case_id=case.id,
        person=person,
    )
    return ctx.render(
        "special_measures/assessment.html",
        _assessment_context(case, person, _name(ctx, person), values, FieldErrors()),
    )


def assessment_save(ctx: RequestContext) -> Response:
    case, party, person = _witness(ctx)
    if not party.is_witness or person.erased:
        raise CaseNotFound(case.id)
    assert ctx.form is not None
    values: dict[str, Any] = {
        "source": ctx.field("source"),
        "conditions": [c for c in ctx.form.getlist("conditions") if c in S16_CONDITIONS],
        "s16_notes": ctx.field("s16_notes").strip(),
        "fear_or_distress": ctx.field("fear_or_distress"),
        "factors": [f for f in ctx.form.getlist("factors") if f in S17_FACTORS],
        "s17_notes": ctx.field("s17_notes").strip(),
        "views": ctx.field("views").strip(),
        "opt_outs": [
            o
            for o in ctx.form.getlist("opt_outs")
            if o in {"declines_automatic", "opts_out_primary_rule"}
        ],
        "version": ctx.field("version"),
    }
    parsed, errors = _dates(ctx, values, ("hearing_on",), {"hearing_on": "The hearing date"})
    if values["fear_or_distress"] not in {"yes", "no"}:
        errors.add(
            "fear_or_distress", "Select whether fear or distress is likely to affect the evidence"
        )
    details = sm.AssessmentDetails(
        mental_disorder="mental_disorder" in values["conditions"],
        impairment="impairment" in values["conditions"],
        physical="physical" in values["conditions"],
        s16_notes=values["s16_notes"],
        fear_or_distress=values["fear_or_distress"] == "yes",
        factors=tuple(values["factors"]),
        s17_notes=values["s17_notes"],
        views=values["views"],
        declines_automatic="declines_automatic" in values["opt_outs"],
        opts_out_primary_rule="opts_out_primary_rule" in values["opt_outs"],
    )
    command = sm.AssessmentCommand(
        source=values["source"],
        hearing_on=parsed["hearing_on"],
        details=details,
        expected_version=ctx.version(),
    )
    _merge(errors, sm.validate_assessment(command))
    stale = False
    if not errors:
        try:
            sm.save_assessment(ctx.db, ctx.vault, ctx.actor, case, party, person, command)
        except ValidationFailed as exc:
            _merge(errors, exc.errors)
        except StaleEdit as exc:
            stale = True
            values["version"] = str(exc.current_version)
            errors.add(
                "source",
                "Someone else saved this assessment while you were working: check it again",
            )
    if errors:
        return ctx.render(
            "special_measures/assessment.html",
            _assessment_context(case, person, _name(ctx, person), values, errors),
            status_code=409 if stale else 400,
        )
    ctx.flash("Eligibility assessment saved")
    return ctx.redirect("sm_witness", case_id=case.id, person_id=person.id)


# --- identify (witness care officers) -------------------------------------------------------


def _identify_context(
    case: Case, person: Person, name: Any, values: dict[str, Any], errors: FieldErrors
) -> dict[str, Any]:
    return {
        **_common(case),
        "person": person,
        "name": name,
        "values": values,
        "errors": errors,
        "measures": list(MEASURES.items()),
    }


def identify_form(ctx: RequestContext) -> Response:
    case, party, person = _witness(ctx)
    if not party.is_witness or person.erased:
        raise CaseNotFound(case.id)
    values: dict[str, Any] = {"measures": [], "request_now": "yes"}
    sm.record_view(
        ctx.db,
        ctx.actor,
        action="special_measures.identify_view",
        object_type="person",
        object_id=person.id,
        case_id=case.id,
        person=person,
    )
    return ctx.render(
        "special_measures/identify.html",
        _identify_context(case, person, _name(ctx, person), values, FieldErrors()),
    )


def identify_save(ctx: RequestContext) -> Response:
    case, party, person = _witness(ctx)
    if not party.is_witness or person.erased:
        raise CaseNotFound(case.id)
    assert ctx.form is not None
    values: dict[str, Any] = {
        "measures": [m for m in ctx.form.getlist("measures") if m in MEASURES],
        "request_now": ctx.field("request_now"),
    }
    errors = FieldErrors()
    if values["request_now"] not in {"yes", "no"}:
        errors.add("request_now", "Select whether to ask the prosecutor to apply now")
    if not errors:
        try:
            application = sm.identify(
                ctx.db,
                ctx.actor,
                case,
                party,
                person,
                measures=values["measures"],
                request_now=values["request_now"] == "yes",
            )
        except ValidationFailed as exc:
            _merge(errors, exc.errors)
    if errors:
        return ctx.render(
            "special_measures/identify.html",
            _identify_context(case, person, _name(ctx, person), values, errors),
            status_code=400,
        )
    ctx.flash(
        "Special measures requested of the prosecutor"
        if values["request_now"] == "yes"
        else "Need for special measures recorded"
    )
    return ctx.redirect("sm_application", case_id=case.id, application_id=application.id)


# --- one application ------------------------------------------------------------------------


def _application(
    ctx: RequestContext,
) -> tuple[SpecialMeasuresApplication, Case, CaseParty, Person]:
    row = repository.get_application(
        ctx.db, ctx.actor, _uuid(ctx, "case_id"), _uuid(ctx, "application_id")
    )
    return row


def _form_viewed(
    ctx: RequestContext,
    form: str,
    application: SpecialMeasuresApplication,
    case: Case,
    person: Person,
) -> None:
    sm.record_view(
        ctx.db,
        ctx.actor,
        action=f"special_measures.{form}_view",
        object_type="special_measures_application",
        object_id=application.id,
        case_id=case.id,
        person=person,
    )


def _deadline_of(ctx: RequestContext, case: Case) -> tuple[date | None, Any]:
    plea_on = repository.not_guilty_pleas(ctx.db, {case.id}).get(case.id)
    return plea_on, sm.deadline(case, plea_on)


def _texts(ctx: RequestContext, application: SpecialMeasuresApplication) -> dict[str, Any]:
    return {name: ctx.vault.open(application, name) for name in (*TEXT_FIELDS, "court_notes")}


def application_view(ctx: RequestContext) -> Response:
    application, case, party, person = _application(ctx)
    today = _today()
    plea_on, due = _deadline_of(ctx, case)
    history = repository.history(ctx.db, application.id)
    outcome = Outcome(application.decision) if application.decision else None
    readable = not person.erased
    sm.record_view(
        ctx.db,
        ctx.actor,
        action="special_measures.application_view",
        object_type="special_measures_application",
        object_id=application.id,
        case_id=case.id,
        person=person,
    )
    return ctx.render(
        "special_measures/application.html",
        {
            **_common(case),
            "application": application,
            "party": party,
            "person": person,
            "name": _name(ctx, person),
            "texts": _texts(ctx, application)
            if readable
            else dict.fromkeys((*TEXT_FIELDS, "court_notes")),
            "plea_on": plea_on,
            "due": due,
            "status": sm.deadline_status(application, due, today),
            "history": history,
            "staff": _staff(ctx, {t.by_id for t in history}),
            "actions": [
                a.value
                for a in actions_for(State(application.state), ctx.actor.role, outcome=outcome)
            ],
            "may_print": ctx.actor.role in {Role.WITNESS_CARE_OFFICER, Role.PROSECUTOR}
            and readable,
            "may_edit_draft": ctx.actor.role is Role.PROSECUTOR
            and application.state == State.DRAFTED,
        },
    )


@refuses_conflicts
def request_save(ctx: RequestContext) -> Response:
    application, case, _, person = _application(ctx)
    try:
        sm.request(ctx.db, ctx.actor, application, person, expected_version=ctx.version())
    except StaleEdit:
        ctx.flash("Someone else updated this application while you were working: check it again")
        return ctx.redirect("sm_application", case_id=case.id, application_id=application.id)
    ctx.flash("Special measures requested of the prosecutor")
    return ctx.redirect("sm_application", case_id=case.id, application_id=application.id)


# --- draft ----------------------------------------------------------------------------------

DRAFT_DATE_LABELS = {
    "intermediary_requested_on": "The date the intermediary was requested",
    "intermediary_needed_by": "The date the intermediary is needed by",
    "intermediary_matched_on": "The date an intermediary was matched",
    "cross_examination_on": "The s28 recording date",
}


def _draft_context(
    ctx: RequestContext,
    application: SpecialMeasuresApplication,
    case: Case,
    party: CaseParty,
    person: Person,
    values: dict[str, Any],
    errors: FieldErrors,
) -> dict[str, Any]:
    today = _today()
    plea_on, due = _deadline_of(ctx, case)
    eligibility = sm.eligibility_of(
        ctx.vault,
        offences=case_facts(ctx.db, case).offences,
        party=party,
        person=person,
        assessment=repository.assessment_of(ctx.db, party.id),
        today=today,
    )
    return {
        **_common(case),
        "application": application,
        "person": person,
        "name": _name(ctx, person),
        "values": values,
        "errors": errors,
        "measures": list(MEASURES.items()),
        "hearing_choices": HEARING_CHOICES,
        "eligibility": eligibility,
        "warnings": measure_warnings(values["measures"], eligibility),
        "plea_on": plea_on,
        "due": due,
        "late_now": due is not None and due.due is not None and today > due.due,
    }


@refuses_conflicts
def draft_form(ctx: RequestContext) -> Response:
    application, case, party, person = _application(ctx)
    if application.state not in {State.IDENTIFIED, State.REQUESTED, State.DRAFTED} or person.erased:
        raise TransitionRefused(Action.DRAFT, State(application.state))
    texts = {name: (ctx.vault.open_text(application, name) or "") for name in TEXT_FIELDS}
    values: dict[str, Any] = {
        **texts,
        "measures": application.measure_codes,
        "hearing_wanted": {True: "yes", False: "no", None: ""}[application.hearing_wanted],
        "version": str(application.version),
    }
    for name in DATE_FIELDS:
        _date_values(values, name, getattr(application, name))
    if application.state != State.DRAFTED:
        # Start from what is already known: the eligibility explanations and the witness's views.
        eligibility = sm.eligibility_of(
            ctx.vault,
            offences=case_facts(ctx.db, case).offences,
            party=party,
            person=person,
            assessment=repository.assessment_of(ctx.db, party.id),
            today=_today(),
        )
        if not values["grounds"]:
            values["grounds"] = "\n".join(f"{f.text}: {f.explanation}" for f in eligibility.grounds)
        details = sm.details_of(ctx.vault, repository.assessment_of(ctx.db, party.id))
        if not values["witness_views"]:
            values["witness_views"] = details.views
    sm.record_view(
        ctx.db,
        ctx.actor,
        action="special_measures.draft_view",
        object_type="special_measures_application",
        object_id=application.id,
        case_id=case.id,
        person=person,
    )
    return ctx.render(
        "special_measures/draft.html",
        _draft_context(ctx, application, case, party, person, values, FieldErrors()),
    )


@refuses_conflicts
def draft_save(ctx: RequestContext) -> Response:
    application, case, party, person = _application(ctx)
    if person.erased:
        raise TransitionRefused(Action.DRAFT, State(application.state))
    assert ctx.form is not None
    values: dict[str, Any] = {name: ctx.field(name).strip() for name in TEXT_FIELDS}
    values["measures"] = [m for m in ctx.form.getlist("measures") if isinstance(m, str)]
    values["hearing_wanted"] = ctx.field("hearing_wanted")
    values["version"] = ctx.field("version")
    parsed, errors = _dates(ctx, values, DATE_FIELDS, DRAFT_DATE_LABELS)
    draft = sm.Draft(
        measures=tuple(values["measures"]),
        hearing_wanted={"yes": True, "no": False}.get(values["hearing_wanted"]),
        intermediary_requested_on=parsed["intermediary_requested_on"],
        intermediary_needed_by=parsed["intermediary_needed_by"],
        intermediary_matched_on=parsed["intermediary_matched_on"],
        cross_examination_on=parsed["cross_examination_on"],
        expected_version=ctx.version(),
        **{name: values[name] for name in TEXT_FIELDS},
    )
    for name, message in sm.validate_draft(draft).items():
        if not errors.get(name):
            errors.add(name, message)
    stale = False
    if not errors:
        try:
            sm.save_draft(ctx.db, ctx.vault, ctx.actor, application, person, draft)
        except ValidationFailed as exc:
            _merge(errors, exc.errors)
        except StaleEdit as exc:
            stale = True
            values["version"] = str(exc.current_version)
            errors.add(
                "measures",
                "Someone else updated this application while you were working: check it again",
            )
    if errors:
        values["measures"] = [m for m in values["measures"] if m in MEASURES]
        return ctx.render(
            "special_measures/draft.html",
            _draft_context(ctx, application, case, party, person, values, errors),
            status_code=409 if stale else 400,
        )
    ctx.flash("Application drafted")
    return ctx.redirect("sm_application", case_id=case.id, application_id=application.id)


# --- serve ----------------------------------------------------------------------------------


def _serve_context(
    ctx: RequestContext,
    application: SpecialMeasuresApplication,
    case: Case,
    person: Person,
    values: dict[str, Any],
    errors: FieldErrors,
) -> dict[str, Any]:
    plea_on, due = _deadline_of(ctx, case)
    return {
        **_common(case),
        "application": application,
        "person": person,
        "name": _name(ctx, person),
        "values": values,
        "errors": errors,
        "plea_on": plea_on,
        "due": due,
        "late_now": due is not None and due.due is not None and _today() > due.due,
    }


@refuses_conflicts
def serve_form(ctx: RequestContext) -> Response:
    application, case, _, person = _application(ctx)
    if application.state != State.DRAFTED:
        raise TransitionRefused(Action.SERVE, State(application.state))
    values: dict[str, Any] = {
        "late_reason": ctx.vault.open_text(application, "late_reason") or "",
        "version": str(application.version),
    }
    _date_values(values, "served_on", _today())
    _form_viewed(ctx, "serve", application, case, person)
    return ctx.render(
        "special_measures/serve.html",
        _serve_context(ctx, application, case, person, values, FieldErrors()),
    )


@refuses_conflicts
def serve_save(ctx: RequestContext) -> Response:
    application, case, _, person = _application(ctx)
    values: dict[str, Any] = {
        "late_reason": ctx.field("late_reason").strip(),
        "version": ctx.field("version"),
    }
    parsed, errors = _dates(ctx, values, ("served_on",), {"served_on": "The date served"})
    _, due = _deadline_of(ctx, case)
    stale = False
    if not errors:
        try:
            sm.serve(
                ctx.db,
                ctx.vault,
                ctx.actor,
                application,
                person,
                served_on=parsed["served_on"],
                due=due,
                late_reason=values["late_reason"],
                today=_today(),
                expected_version=ctx.version(),
            )
        except ValidationFailed as exc:
            _merge(errors, exc.errors)
        except StaleEdit as exc:
            stale = True
            values["version"] = str(exc.current_version)
            errors.add(
                "served_on",
                "Someone else updated this application while you were working: check it again",
            )
    if errors:
        return ctx.render(
            "special_measures/serve.html",
            _serve_context(ctx, application, case, person, values, errors),
            status_code=409 if stale else 400,
        )
    ctx.flash("Application served")
    return ctx.redirect("sm_application", case_id=case.id, application_id=application.id)


# --- the court's decision -------------------------------------------------------------------


def _decision_context(
    ctx: RequestContext,
    application: SpecialMeasuresApplication,
    case: Case,
    person: Person,
    values: dict[str, Any],
    errors: FieldErrors,
    template_kind: str,
) -> dict[str, Any]:
    return {
        **_common(case),
        "application": application,
        "person": person,
        "name": _name(ctx, person),
        "values": values,
        "errors": errors,
        "outcome_choices": [(o.value, o.label) for o in Outcome],
        "applied_for": [(m, MEASURES[m]) for m in application.measure_codes],
        "all_measures": list(MEASURES.items()),
        "kind": template_kind,
    }


@refuses_conflicts
def decision_form(ctx: RequestContext) -> Response:
    application, case, _, person = _application(ctx)
    if application.state != State.SERVED:
        raise TransitionRefused(Action.DECIDE, State(application.state))
    values: dict[str, Any] = {
        "outcome": "",
        "granted": [],
        "court_notes": "",
        "version": str(application.version),
    }
    _date_values(values, "decided_on", None)
    _date_values(values, "received_on", None)
    _form_viewed(ctx, "decision", application, case, person)
    return ctx.render(
        "special_measures/decision.html",
        _decision_context(ctx, application, case, person, values, FieldErrors(), "decision"),
    )


@refuses_conflicts
def decision_save(ctx: RequestContext) -> Response:
    application, case, party, person = _application(ctx)
    assert ctx.form is not None
    values: dict[str, Any] = {
        "outcome": ctx.field("outcome"),
        "granted": [g for g in ctx.form.getlist("granted") if g in MEASURES],
        "court_notes": ctx.field("court_notes").strip(),
        "version": ctx.field("version"),
    }
    parsed, errors = _dates(
        ctx,
        values,
        ("decided_on", "received_on"),
        {"decided_on": "The date of the decision", "received_on": "The date received"},
    )
    created: list[Any] = []
    stale = False
    if not errors:
        try:
            created = sm.decide(
                ctx.db,
                ctx.vault,
                ctx.actor,
                case,
                party,
                application,
                person,
                outcome=values["outcome"],
                decided_on=parsed["decided_on"],
                received_on=parsed["received_on"],
                granted=values["granted"],
                notes=values["court_notes"],
                today=_today(),
                expected_version=ctx.version(),
            )
        except ValidationFailed as exc:
            _merge(errors, exc.errors)
        except StaleEdit as exc:
            stale = True
            values["version"] = str(exc.current_version)
            errors.add(
                "outcome",
                "Someone else updated this application while you were working: check it again",
            )
    if errors:
        return ctx.render(
            "special_measures/decision.html",
            _decision_context(ctx, application, case, person, values, errors, "decision"),
            status_code=409 if stale else 400,
        )
    ctx.flash(
        "Decision recorded: the witness care unit must tell the witness"
        if created
        else "Decision recorded"
    )
    return ctx.redirect("sm_application", case_id=case.id, application_id=application.id)


@refuses_conflicts
def variation_form(ctx: RequestContext) -> Response:
    application, case, _, person = _application(ctx)
    outcome = Outcome(application.decision) if application.decision else None
    if Action.VARY not in actions_for(State(application.state), Role.PROSECUTOR, outcome=outcome):
        raise TransitionRefused(Action.VARY, State(application.state))
    values: dict[str, Any] = {
        "action": "",
        "granted": application.granted_codes,
        "court_notes": "",
        "version": str(application.version),
    }
    _date_values(values, "decided_on", None)
    _date_values(values, "received_on", None)
    _form_viewed(ctx, "variation", application, case, person)
    return ctx.render(
        "special_measures/decision.html",
        _decision_context(ctx, application, case, person, values, FieldErrors(), "variation"),
    )


@refuses_conflicts
def variation_save(ctx: RequestContext) -> Response:
    application, case, party, person = _application(ctx)
    assert ctx.form is not None
    values: dict[str, Any] = {
        "action": ctx.field("action"),
        "granted": [g for g in ctx.form.getlist("granted") if g in MEASURES],
        "court_notes": ctx.field("court_notes").strip(),
        "version": ctx.field("version"),
    }
    parsed, errors = _dates(
        ctx,
        values,
        ("decided_on", "received_on"),
        {"decided_on": "The date of the court's decision", "received_on": "The date received"},
    )
    stale = False
    if not errors:
        try:
            sm.change_direction(
                ctx.db,
                ctx.vault,
                ctx.actor,
                case,
                party,
                application,
                person,
                action=values["action"],
                on=parsed["decided_on"],
                received_on=parsed["received_on"],
                measures=values["granted"],
                notes=values["court_notes"],
                today=_today(),
                expected_version=ctx.version(),
            )
        except ValidationFailed as exc:
            _merge(errors, exc.errors)
        except StaleEdit as exc:
            stale = True
            values["version"] = str(exc.current_version)
            errors.add(
                "action",
                "Someone else updated this application while you were working: check it again",
            )
    if errors:
        return ctx.render(
            "special_measures/decision.html",
            _decision_context(ctx, application, case, person, values, errors, "variation"),
            status_code=409 if stale else 400,
        )
    ctx.flash("Direction discharged" if values["action"] == "discharge" else "Direction varied")
    return ctx.redirect("sm_application", case_id=case.id, application_id=application.id)


# --- the application document ---------------------------------------------------------------


def _document_context(ctx: RequestContext) -> dict[str, Any]:
    application, case, party, person = _application(ctx)
    if person.erased:
        raise CaseNotFound(case.id)
    today = _today()
    plea_on, due = _deadline_of(ctx, case)
    eligibility = sm.eligibility_of(
        ctx.vault,
        offences=case_facts(ctx.db, case).offences,
        party=party,
        person=person,
        assessment=repository.assessment_of(ctx.db, party.id),
        today=today,
        hearing_on=application.decided_on,
    )
    sealed = person.identity_sealed
    born = None if sealed else sm.born_on(ctx.vault, person)
    defendants = cases_repo.defendants_of(ctx.db, case)
    late = (
        application.served_on is not None
        and application.due_on is not None
        and application.served_on > application.due_on
    ) or (
        application.served_on is None
        and due is not None
        and due.due is not None
        and today > due.due
    )
    return {
        **_common(case),
        "application": application,
        "person": person,
        "witness": f"Witness {person.reference}" if sealed else ctx.vault.open(person, "full_name"),
        "sealed": sealed,
        "born": born,
        "texts": _texts(ctx, application),
        "eligibility": eligibility,
        "plea_on": plea_on,
        "due": due,
        "late": late,
        "defendants": [ctx.vault.open(d, "full_name") for d in defendants],
        "prosecutor": _staff(ctx, {case.prosecutor_id}).get(case.prosecutor_id),
        "today": today,
    }


def document(ctx: RequestContext) -> Response:
    context = _document_context(ctx)
    sm.record_view(
        ctx.db,
        ctx.actor,
        action="special_measures.document",
        object_type="special_measures_application",
        object_id=context["application"].id,
        case_id=context["case"].id,
        person=context["person"],
    )
    return ctx.render("special_measures/document.html", context)


def document_pdf(ctx: RequestContext) -> Response:
    context = _document_context(ctx)
    sm.record_view(
        ctx.db,
        ctx.actor,
        action="special_measures.document",
        object_type="special_measures_application",
        object_id=context["application"].id,
        case_id=context["case"].id,
        person=context["person"],
        fields=("pdf",),
    )
    try:
        body = application_pdf(context)
    except Unprintable as exc:
        back = ctx.request.url_for(
            "sm_application", case_id=context["case"].id, application_id=context["application"].id
        ).path
        return ctx.render(
            "rendering/unprintable.html",
            {"reason": exc.reason, "back": back, "back_label": "Back to the application"},
            status_code=422,
        )
    name = f"special-measures-{context['case'].urn}-{context['person'].reference}.pdf"
    return Response(
        body,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )


# --- My work --------------------------------------------------------------------------------


def work_page(ctx: RequestContext) -> Response:
    today = _today()
    items = sm.work(ctx.db, ctx.actor, today)
    ctx.vault.load({item.person.key_id for item in items})
    names = {item.person.id: _name(ctx, item.person) for item in items}
    audit.record_consultations(
        ctx.db,
        actor=ctx.actor,
        action="person.special_measures_work",
        subjects=sorted({(i.person.id, i.person.reference) for i in items if not i.person.erased}),
        case_id=None,
    )
    return ctx.render(
        "special_measures/work.html",
        {
            "items": items,
            "names": names,
            "states": {s.value: s.label for s in State},
            "measure_labels": MEASURES,
            "pending": {s.value for s in PENDING},
        },
        block="sm_work",
    )


CASE = "/cases/{case_id}/special-measures"
WITNESS = CASE + "/witnesses/{person_id}"
APPLICATION = CASE + "/applications/{application_id}"

routes = [
    PortalRoute("/special-measures", work_page, access=EDITORS, name="sm_work"),
    PortalRoute(CASE, case_view, access=READERS, name="sm_case"),
    PortalRoute(WITNESS, witness_view, access=READERS, name="sm_witness"),
    PortalRoute(WITNESS + "/assessment", assessment_form, access=EDITORS, name="sm_assessment"),
    PortalRoute(
        WITNESS + "/assessment",
        assessment_save,
        access=EDITORS,
        methods=["POST"],
        name="sm_assessment_save",
    ),
    PortalRoute(WITNESS + "/identify", identify_form, access=WCO_ONLY, name="sm_identify"),
    PortalRoute(
        WITNESS + "/identify",
        identify_save,
        access=WCO_ONLY,
        methods=["POST"],
        name="sm_identify_save",
    ),
    PortalRoute(APPLICATION, application_view, access=READERS, name="sm_application"),
    PortalRoute(
        APPLICATION + "/request", request_save, access=WCO_ONLY, methods=["POST"], name="sm_request"
    ),
    PortalRoute(APPLICATION + "/draft", draft_form, access=PROSECUTORS, name="sm_draft"),
    PortalRoute(
        APPLICATION + "/draft",
        draft_save,
        access=PROSECUTORS,
        methods=["POST"],
        name="sm_draft_save",
    ),
    PortalRoute(APPLICATION + "/serve", serve_form, access=PROSECUTORS, name="sm_serve"),
    PortalRoute(
        APPLICATION + "/serve",
        serve_save,
        access=PROSECUTORS,
        methods=["POST"],
        name="sm_serve_save",
    ),
    PortalRoute(APPLICATION + "/decision", decision_form, access=PROSECUTORS, name="sm_decision"),
    PortalRoute(
        APPLICATION + "/decision",
        decision_save,
        access=PROSECUTORS,
        methods=["POST"],
        name="sm_decision_save",
    ),
    PortalRoute(
        APPLICATION + "/variation", variation_form, access=PROSECUTORS, name="sm_variation"
    ),
    PortalRoute(
        APPLICATION + "/variation",
        variation_save,
        access=PROSECUTORS,
        methods=["POST"],
        name="sm_variation_save",
    ),
    PortalRoute(APPLICATION + "/document", document, access=EDITORS, name="sm_document"),
    PortalRoute(
        APPLICATION + "/document.pdf", document_pdf, access=EDITORS, name="sm_document_pdf"
    ),
]
