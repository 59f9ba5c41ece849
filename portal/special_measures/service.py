"""Special measures: assessing eligibility, the application's transitions, its deadline and
telling the witness the outcome.

Every change goes through ``_move`` (the state machine in ``states``), is attributed in the
transition history and audited with ids and field names only. Free text is sealed under the
witness's own key. Services flush, never commit, and know nothing of HTTP.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from sqlalchemy.orm import Session

from portal.accounts.actor import Actor
from portal.accounts.roles import Role
from portal.anonymity.identity import case_text_errors
from portal.audit import service as audit
from portal.cases.errors import NotPermitted, StaleEdit, ValidationFailed
from portal.cases.models import Case, CaseParty
from portal.cases.offences import OffenceType
from portal.clock import utc_now
from portal.keys.vault import Vault
from portal.people.models import Person
from portal.special_measures import repository
from portal.special_measures.eligibility import (
    MEASURES,
    S17_FACTORS,
    Eligibility,
    Recorded,
    assess,
)
from portal.special_measures.models import (
    DRAFT_TEXTS,
    SOURCES,
    SpecialMeasuresApplication,
    SpecialMeasuresAssessment,
    SpecialMeasuresTransition,
)
from portal.special_measures.states import (
    PENDING,
    Action,
    Outcome,
    RoleRefused,
    State,
    check,
    may,
)
from portal.victims_code import service as obligations
from portal.victims_code.deadlines import DueDate, special_measures_application_due
from portal.victims_code.models import Obligation
from portal.victims_code.rules import RulesError, Settings, rules_in_force

TRIGGER = "special_measures_decision"
TEXT_LIMIT = 5000
SHORT_LIMIT = 300

# --- reading --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AssessmentDetails:
    """What was recorded about the witness (sealed as one JSON document)."""

    mental_disorder: bool = False
    impairment: bool = False
    physical: bool = False
    s16_notes: str = ""
    fear_or_distress: bool = False
    factors: tuple[str, ...] = ()
    s17_notes: str = ""
    views: str = ""
    declines_automatic: bool = False
    opts_out_primary_rule: bool = False

    def to_json(self) -> str:
        data = {name: getattr(self, name) for name in self.__dataclass_fields__}
        data["factors"] = list(self.factors)
        return json.dumps(data)

    @classmethod
    def from_json(cls, raw: str | None) -> AssessmentDetails:
        if not raw:
            return cls()
        data: dict[str, Any] = json.loads(raw)
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        known["factors"] = tuple(f for f in known.get("factors", ()) if f in S17_FACTORS)
        return cls(**known)

    @property
    def recorded(self) -> Recorded:
        return Recorded(
            mental_disorder=self.mental_disorder,
            impairment=self.impairment,
            physical=self.physical,
            fear_or_distress=self.fear_or_distress,
            factors=self.factors,
            declines_automatic=self.declines_automatic,
            opts_out_primary_rule=self.opts_out_primary_rule,
        )


def born_on(vault: Vault, person: Person) -> date | None:
    if person.erased:
        return None
    # For age at the hearing only (shown as eligibility, never as the date): works for sealed
    # identities too.
    raw = vault.open_internal(person, "date_of_birth")
    text = raw.decode() if raw else None
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def details_of(vault: Vault, assessment: SpecialMeasuresAssessment | None) -> AssessmentDetails:
    if assessment is None:
        return AssessmentDetails()
    return AssessmentDetails.from_json(vault.open_text(assessment, "details"))


def eligibility_of(
    vault: Vault,
    *,
    offences: Sequence[tuple[OffenceType, date | None]],
    party: CaseParty,
    person: Person,
    assessment: SpecialMeasuresAssessment | None,
    today: date,
    hearing_on: date | None = None,
) -> Eligibility:
    """The witness's eligibility on the hearing date (the decision date once the court has
    decided, else the expected hearing date recorded in the assessment, else today)."""
    offence_dates = [d for _, d in offences if d is not None]
    return assess(
        offences=[o for o, _ in offences],
        complainant=party.is_victim,
        born=born_on(vault, person),
        hearing_on=hearing_on or (assessment.hearing_on if assessment else None),
        today=today,
        offence_on=min(offence_dates) if offence_dates else None,
        recorded=details_of(vault, assessment).recorded if not person.erased else Recorded(),
    )


# --- the deadline ---------------------------------------------------------------------------


def court_for_deadline(case: Case) -> Literal["magistrates", "crown"]:
    """Magistrates' and youth courts use the magistrates' figure; the Crown Court its own."""
    return "crown" if case.court_type == "crown" else "magistrates"


def _settings_on(day: date) -> Settings:
    try:
        return rules_in_force(day).settings
    except RulesError:
        return Settings()  # before any Code was in force: the documented defaults


def deadline(case: Case, plea_on: date | None) -> DueDate | None:
    """Latest date to apply, counted in business days from the not-guilty plea, with the
    limits of the rules version in force on the plea date (UNCONFIRMED figures, configurable in
    the rules file's [settings])."""
    if plea_on is None:
        return None
    return special_measures_application_due(
        plea_on, court=court_for_deadline(case), settings=_settings_on(plea_on)
    )


@dataclass(frozen=True, slots=True)
class DeadlineStatus:
    code: str  # no_plea, due, due_today, overdue, served_on_time, served_late, not_applicable
    label: str
    due: date | None

    @property
    def urgent(self) -> bool:
        return self.code in {"overdue", "due_today"}


def deadline_status(
    application: SpecialMeasuresApplication, due: DueDate | None, today: date
) -> DeadlineStatus:
    state = State(application.state)
    due_on = due.due if due else None
    if state in PENDING:
        if due_on is None:
            return DeadlineStatus("no_plea", "No not-guilty plea recorded yet", None)
        if today > due_on:
            return DeadlineStatus("overdue", "Overdue", due_on)
        if today == due_on:
            return DeadlineStatus("due_today", "Due today", due_on)
        return DeadlineStatus("due", "Due", due_on)
    if application.served_on is not None and application.due_on is not None:
        if application.served_on > application.due_on:
            return DeadlineStatus("served_late", "Served late", application.due_on)
        return DeadlineStatus("served_on_time", "Served on time", application.due_on)
    return DeadlineStatus("not_applicable", "No deadline recorded", application.due_on)


def is_late(served_on: date, due: DueDate | None) -> bool:
    return due is not None and due.due is not None and served_on > due.due


# --- audit and transitions ------------------------------------------------------------------


def _audit(
    db: Session,
    actor: Actor,
    *,
    action: str,
    category: str,
    object_type: str,
    object_id: uuid.UUID,
    case_id: uuid.UUID,
    person: Person,
    fields: Iterable[str] = (),
) -> None:
    audit.record(
        db,
        actor=actor,
        category=category,
        action=action,
        object_type=object_type,
        object_id=object_id,
        case_id=case_id,
        subject_id=person.id,
        subject_ref=person.reference,
        fields=fields,
    )


def _check_version(row: SpecialMeasuresApplication, expected: int | None) -> None:
    if expected is not None and row.version != expected:
        raise StaleEdit({"state": row.state}, row.version)


def _move(
    db: Session,
    actor: Actor,
    application: SpecialMeasuresApplication,
    action: Action,
    person: Person,
    *,
    fields: Iterable[str] = (),
) -> None:
    """Apply ``action`` through the state machine, record who did it, and audit it."""
    current = State(application.state) if application.state else None
    outcome = Outcome(application.decision) if application.decision else None
    target = check(action, current, actor.role, outcome=outcome)
    application.state = target.value
    db.add(
        SpecialMeasuresTransition(
            id=uuid.uuid4(),
            application_id=application.id,
            action=action.value,
            from_state=current.value if current else None,
            to_state=target.value,
            decision=application.decision if action is Action.DECIDE else None,
            by_id=actor.user_id,
            by_role=actor.role.value,
            at=utc_now(),
        )
    )
    db.flush()
    _audit(
        db,
        actor,
        action=f"special_measures.{action.value}",
        category="collection" if action is Action.IDENTIFY else "alteration",
        object_type="special_measures_application",
        object_id=application.id,
        case_id=application.case_id,
        person=person,
        fields=["state", *fields],
    )


def _require_witness(party: CaseParty) -> None:
    if not party.is_witness:
        raise ValidationFailed({"witness": "Only a witness can have special measures"})


def _clean_measures(codes: Iterable[str]) -> list[str]:
    chosen = set(codes)
    return [code for code in MEASURES if code in chosen]


def _text(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def _check_text(
    errors: dict[str, str], name: str, value: str | None, label: str, limit: int
) -> None:
    if value and len(value) > limit:
        errors[name] = f"{label} must be {limit:,} characters or fewer"


# --- the eligibility assessment -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AssessmentCommand:
    source: str
    hearing_on: date | None
    details: AssessmentDetails
    expected_version: int | None = None


def validate_assessment(command: AssessmentCommand) -> dict[str, str]:
    errors: dict[str, str] = {}
    if command.source not in SOURCES:
        errors["source"] = "Select where this assessment comes from"
    d = command.details
    _check_text(errors, "s16_notes", d.s16_notes, "The notes on s16", TEXT_LIMIT)
    if d.fear_or_distress and not d.factors:
        errors["factors"] = "Select the factors the court should consider (s17(2))"
    _check_text(errors, "s17_notes", d.s17_notes, "The notes on fear or distress", TEXT_LIMIT)
    _check_text(errors, "views", d.views, "The witness's views", TEXT_LIMIT)
    return errors


def save_assessment(
    db: Session,
    vault: Vault,
    actor: Actor,
    case: Case,
    party: CaseParty,
    person: Person,
    command: AssessmentCommand,
) -> SpecialMeasuresAssessment:
    if actor.role not in {Role.WITNESS_CARE_OFFICER, Role.PROSECUTOR}:
        raise NotPermitted("only witness care officers and prosecutors assess eligibility")
    _require_witness(party)
    errors = validate_assessment(command)
    d = command.details
    errors |= case_text_errors(
        db,
        vault,
        case.id,
        {
            "s16_notes": ("The notes on s16", d.s16_notes),
            "s17_notes": ("The notes on fear or distress", d.s17_notes),
            "views": ("The witness's views", d.views),
        },
    )
    if errors:
        raise ValidationFailed(errors)
    assessment = repository.assessment_of(db, party.id)
    created = assessment is None
    if assessment is None:
        assessment = SpecialMeasuresAssessment(
            id=uuid.uuid4(), case_id=case.id, case_party_id=party.id, key_id=party.key_id
        )
    elif command.expected_version is not None and assessment.version != command.expected_version:
        raise StaleEdit({}, assessment.version)
    assessment.source = command.source
    assessment.hearing_on = command.hearing_on
    assessment.recorded_by_id = actor.user_id
    vault.put(assessment, "details", command.details.to_json())
    if created:
        db.add(assessment)
    db.flush()
    _audit(
        db,
        actor,
        action="special_measures.assess",
        category="collection" if created else "alteration",
        object_type="special_measures_assessment",
        object_id=assessment.id,
        case_id=case.id,
        person=person,
        fields=("source", "hearing_on", "details"),
    )
    return assessment


# --- identify and request (witness care officers) ------------------------------------------


def identify(
    db: Session,
    actor: Actor,
    case: Case,
    party: CaseParty,
    person: Person,
    *,
    measures: Iterable[str],
    request_now: bool,
) -> SpecialMeasuresApplication:
    """A witness care officer identifies a witness's need; optionally asks the prosecutor to
    apply straight away (two transitions, both recorded)."""
    check(Action.IDENTIFY, None, actor.role)  # the state machine decides first
    _require_witness(party)
    if repository.open_application_for(db, party.id) is not None:
        raise ValidationFailed(
            {"measures": "This witness already has an application in progress: update that one"}
        )
    application = SpecialMeasuresApplication(
        id=uuid.uuid4(),
        case_id=case.id,
        case_party_id=party.id,
        key_id=party.key_id,
        state="",
        measures=",".join(_clean_measures(measures)),
        created_by_id=actor.user_id,
    )
    application.state = State.IDENTIFIED.value
    db.add(application)
    db.flush()
    db.add(
        SpecialMeasuresTransition(
            id=uuid.uuid4(),
            application_id=application.id,
            action=Action.IDENTIFY.value,
            from_state=None,
            to_state=State.IDENTIFIED.value,
            by_id=actor.user_id,
            by_role=actor.role.value,
            at=utc_now(),
        )
    )
    db.flush()
    _audit(
        db,
        actor,
        action="special_measures.identify",
        category="collection",
        object_type="special_measures_application",
        object_id=application.id,
        case_id=case.id,
        person=person,
        fields=("state", "measures"),
    )
    if request_now:
        _move(db, actor, application, Action.REQUEST, person)
    return application


def request(
    db: Session,
    actor: Actor,
    application: SpecialMeasuresApplication,
    person: Person,
    *,
    expected_version: int | None = None,
) -> None:
    _check_version(application, expected_version)
    _move(db, actor, application, Action.REQUEST, person)


# --- draft, serve, decide, vary (prosecutors) -----------------------------------------------


@dataclass(frozen=True, slots=True)
class Draft:
    measures: tuple[str, ...]
    hearing_wanted: bool | None
    live_link_location: str = ""
    intermediary_requested_on: date | None = None
    intermediary_needed_by: date | None = None
    intermediary_matched_on: date | None = None
    wis_reference: str = ""
    communication_aids: str = ""
    cross_examination_on: date | None = None
    grounds: str = ""
    quality_reasons: str = ""
    witness_views: str = ""
    previous_applications: str = ""
    late_reason: str = ""
    expected_version: int | None = None


def validate_draft(draft: Draft) -> dict[str, str]:
    errors: dict[str, str] = {}
    measures = _clean_measures(draft.measures)
    if not measures or len(measures) != len(set(draft.measures)):
        errors["measures"] = "Select the special measures to apply for"
    if draft.hearing_wanted is None:
        errors["hearing_wanted"] = "Select whether you want a hearing"
    if "s24" in measures and not draft.live_link_location.strip():
        errors["live_link_location"] = "Enter where the witness will give evidence by live link"
    _check_text(errors, "live_link_location", draft.live_link_location, "The location", SHORT_LIMIT)
    if "s29" in measures and draft.intermediary_requested_on is None:
        errors["intermediary_requested_on"] = (
            "Enter the date the intermediary was requested from the Witness Intermediary Scheme"
        )
    if (
        draft.intermediary_requested_on
        and draft.intermediary_matched_on
        and draft.intermediary_matched_on < draft.intermediary_requested_on
    ):
        errors["intermediary_matched_on"] = "The match date must be on or after the request date"
    _check_text(errors, "wis_reference", draft.wis_reference, "The WIS reference", 60)
    if "s30" in measures and not draft.communication_aids.strip():
        errors["communication_aids"] = "Describe the aids to communication"
    _check_text(
        errors, "communication_aids", draft.communication_aids, "The description", TEXT_LIMIT
    )
    for name, label in (
        ("grounds", "Explain why the witness is eligible"),
        ("quality_reasons", "Explain why the measures would improve the quality of evidence"),
        ("witness_views", "Enter the witness's views"),
    ):
        if not getattr(draft, name).strip():
            errors[name] = label
        _check_text(errors, name, getattr(draft, name), "This answer", TEXT_LIMIT)
    _check_text(
        errors, "previous_applications", draft.previous_applications, "This answer", TEXT_LIMIT
    )
    _check_text(errors, "late_reason", draft.late_reason, "The reason", TEXT_LIMIT)
    return errors


def save_draft(
    db: Session,
    vault: Vault,
    actor: Actor,
    application: SpecialMeasuresApplication,
    person: Person,
    draft: Draft,
) -> None:
    """Draft the application (from identified or requested), or edit a draft."""
    state = State(application.state)
    if state is not State.DRAFTED:
        check(Action.DRAFT, state, actor.role)  # refuse before validating anything
    elif not may(Action.DRAFT, actor.role):
        raise RoleRefused(Action.DRAFT, actor.role)
    errors = validate_draft(draft)
    errors |= case_text_errors(
        db,
        vault,
        application.case_id,
        {name: ("This answer", getattr(draft, name)) for name in DRAFT_TEXTS},
    )
    if errors:
        raise ValidationFailed(errors)
    _check_version(application, draft.expected_version)
    application.measures = ",".join(_clean_measures(draft.measures))
    application.hearing_wanted = draft.hearing_wanted
    application.intermediary_requested_on = draft.intermediary_requested_on
    application.intermediary_needed_by = draft.intermediary_needed_by
    application.intermediary_matched_on = draft.intermediary_matched_on
    application.cross_examination_on = draft.cross_examination_on
    for name in ("wis_reference", *DRAFT_TEXTS):
        vault.put(application, name, _text(getattr(draft, name)))
    changed = ("measures", "details", "grounds", "quality_reasons", "witness_views")
    if state is State.DRAFTED:
        db.flush()
        _audit(
            db,
            actor,
            action="special_measures.edit_draft",
            category="alteration",
            object_type="special_measures_application",
            object_id=application.id,
            case_id=application.case_id,
            person=person,
            fields=changed,
        )
    else:
        _move(db, actor, application, Action.DRAFT, person, fields=changed)


def serve(
    db: Session,
    vault: Vault,
    actor: Actor,
    application: SpecialMeasuresApplication,
    person: Person,
    *,
    served_on: date | None,
    due: DueDate | None,
    late_reason: str,
    today: date,
    expected_version: int | None = None,
) -> None:
    """Serve on the court and every other party. After the deadline, a reason is required
    (CrimPR: a late application must explain why it is late)."""
    check(Action.SERVE, State(application.state), actor.role)
    errors: dict[str, str] = {}
    if served_on is None:
        errors["served_on"] = "Enter the date the application was served"
    elif served_on > today:
        errors["served_on"] = "The date served must be today or in the past"
    reason = late_reason.strip() or (vault.open_text(application, "late_reason") or "").strip()
    if served_on is not None and is_late(served_on, due) and not reason:
        assert due is not None
        assert due.due is not None
        errors["late_reason"] = (
            f"Explain why the application is late: it was due by {due.due.day} {due.due:%B %Y}"
        )
    _check_text(errors, "late_reason", late_reason, "The reason", TEXT_LIMIT)
    errors |= case_text_errors(
        db, vault, application.case_id, {"late_reason": ("The reason", late_reason)}
    )
    if errors:
        raise ValidationFailed(errors)
    _check_version(application, expected_version)
    application.served_on = served_on
    application.due_on = due.due if due else None
    if late_reason.strip():
        vault.put(application, "late_reason", late_reason.strip())
    _move(db, actor, application, Action.SERVE, person, fields=("served_on", "due_on"))


def _check_decision_dates(
    errors: dict[str, str], on: date | None, received_on: date | None, today: date, label: str
) -> None:
    if on is None:
        errors["decided_on"] = f"Enter the date of the {label}"
    elif on > today:
        errors["decided_on"] = f"The date of the {label} must be today or in the past"
    if received_on is not None:
        if received_on > today:
            errors["received_on"] = "The date received must be today or in the past"
        elif on is not None and received_on < on:
            errors["received_on"] = "The date received must be on or after the court's decision"


def _tell_the_witness(
    db: Session,
    vault: Vault,
    actor: Actor,
    case: Case,
    party: CaseParty,
    on: date,
    received_on: date | None,
) -> list[Obligation]:
    """The witness care unit's duty to tell the witness (Right 8, R8-WCU-SPECIAL-MEASURES),
    through the Victims' Code engine; the same decision recorded twice creates one."""
    return obligations.create_for_trigger(
        db, vault, actor, case, party, trigger=TRIGGER, trigger_on=on, received_on=received_on
    )


def decide(
    db: Session,
    vault: Vault,
    actor: Actor,
    case: Case,
    party: CaseParty,
    application: SpecialMeasuresApplication,
    person: Person,
    *,
    outcome: str,
    decided_on: date | None,
    received_on: date | None,
    granted: Sequence[str],
    notes: str,
    today: date,
    expected_version: int | None = None,
) -> list[Obligation]:
    """Record the court's decision; the witness care unit then owes the witness the outcome."""
    check(Action.DECIDE, State(application.state), actor.role)
    errors: dict[str, str] = {}
    if outcome not in {o.value for o in Outcome}:
        errors["outcome"] = "Select the court's decision"
    _check_decision_dates(errors, decided_on, received_on, today, "decision")
    if application.served_on and decided_on and decided_on < application.served_on:
        errors["decided_on"] = (
            "The decision must be on or after the date the application was served"
        )
    granted_codes = [c for c in _clean_measures(granted) if c in application.measure_codes]
    if outcome == Outcome.GRANTED_IN_PART and not granted_codes:
        errors["granted"] = "Select the measures the court granted"
    elif outcome == Outcome.GRANTED_IN_PART and len(granted_codes) == len(
        application.measure_codes
    ):
        errors["granted"] = "Granted in part: leave out the measures the court refused"
    _check_text(errors, "court_notes", notes, "The notes", TEXT_LIMIT)
    errors |= case_text_errors(
        db, vault, application.case_id, {"court_notes": ("The notes", notes)}
    )
    if errors:
        raise ValidationFailed(errors)
    assert decided_on is not None
    _check_version(application, expected_version)
    application.decision = outcome
    application.decided_on = decided_on
    application.decision_received_on = received_on
    application.granted_measures = {
        Outcome.GRANTED.value: application.measures,
        Outcome.GRANTED_IN_PART.value: ",".join(granted_codes),
        Outcome.REFUSED.value: "",
    }[outcome]
    vault.put(application, "court_notes", _text(notes))
    _move(
        db,
        actor,
        application,
        Action.DECIDE,
        person,
        fields=("decision", "decided_on", "granted_measures", "court_notes"),
    )
    return _tell_the_witness(db, vault, actor, case, party, decided_on, received_on)


def change_direction(
    db: Session,
    vault: Vault,
    actor: Actor,
    case: Case,
    party: CaseParty,
    application: SpecialMeasuresApplication,
    person: Person,
    *,
    action: str,
    on: date | None,
    received_on: date | None,
    measures: Sequence[str],
    notes: str,
    today: date,
    expected_version: int | None = None,
) -> list[Obligation]:
    """The court varies or discharges its direction (YJCEA s20); the witness is told again."""
    chosen = Action(action) if action in {Action.VARY.value, Action.DISCHARGE.value} else None
    outcome = Outcome(application.decision) if application.decision else None
    check(chosen or Action.VARY, State(application.state), actor.role, outcome=outcome)
    errors: dict[str, str] = {}
    if chosen is None:
        errors["action"] = "Select whether the court varied or discharged the direction"
    _check_decision_dates(errors, on, received_on, today, "court's decision")
    if application.decided_on and on and on < application.decided_on:
        errors["decided_on"] = "The date must be on or after the original decision"
    codes = _clean_measures(measures)
    if chosen is Action.VARY and not codes:
        errors["granted"] = "Select the measures the direction now includes"
    _check_text(errors, "court_notes", notes, "The notes", TEXT_LIMIT)
    errors |= case_text_errors(
        db, vault, application.case_id, {"court_notes": ("The notes", notes)}
    )
    if errors:
        raise ValidationFailed(errors)
    assert chosen is not None
    assert on is not None
    _check_version(application, expected_version)
    application.changed_on = on
    application.decision_received_on = received_on
    if chosen is Action.VARY:
        application.granted_measures = ",".join(codes)
    if notes.strip():
        vault.put(application, "court_notes", notes.strip())
    _move(
        db,
        actor,
        application,
        chosen,
        person,
        fields=("changed_on", "granted_measures", "court_notes"),
    )
    return _tell_the_witness(db, vault, actor, case, party, on, received_on)


# --- consultations --------------------------------------------------------------------------


def record_view(
    db: Session,
    actor: Actor,
    *,
    action: str,
    object_type: str,
    object_id: uuid.UUID,
    case_id: uuid.UUID,
    person: Person | None = None,
    fields: Iterable[str] = (),
) -> None:
    audit.record(
        db,
        actor=actor,
        category="consultation",
        action=action,
        object_type=object_type,
        object_id=object_id,
        case_id=case_id,
        subject_id=person.id if person else None,
        subject_ref=person.reference if person else None,
        fields=fields,
    )


@dataclass
class WorkItem:
    application: SpecialMeasuresApplication
    party: CaseParty
    person: Person
    case: Case
    due: DueDate | None
    status: DeadlineStatus
    next_step: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


WORK_STATES: dict[Role, tuple[State, ...]] = {
    Role.WITNESS_CARE_OFFICER: (State.IDENTIFIED,),
    Role.PROSECUTOR: (State.IDENTIFIED, State.REQUESTED, State.DRAFTED, State.SERVED),
}
NEXT_STEP = {
    State.IDENTIFIED: "Ask the prosecutor to apply, or draft the application",
    State.REQUESTED: "Draft the application",
    State.DRAFTED: "Serve the application",
    State.SERVED: "Record the court's decision",
}


def work(db: Session, actor: Actor, today: date) -> list[WorkItem]:
    """Applications waiting for the actor's team, overdue first, then by deadline."""
    rows = repository.work_for(db, actor, WORK_STATES.get(actor.role, ()))
    pleas = repository.not_guilty_pleas(db, {case.id for _, _, _, case in rows})
    items = []
    for application, party, person, case in rows:
        due = deadline(case, pleas.get(case.id))
        step = NEXT_STEP[State(application.state)]
        if actor.role is Role.WITNESS_CARE_OFFICER:
            step = "Ask the prosecutor to apply"
        items.append(
            WorkItem(
                application,
                party,
                person,
                case,
                due,
                deadline_status(application, due, today),
                step,
            )
        )
    rank = {"overdue": 0, "due_today": 1, "due": 2, "no_plea": 3}
    items.sort(
        key=lambda i: (
            rank.get(i.status.code, 4),
            i.status.due or date.max,
            i.case.urn,
            i.person.reference,
        )
    )
    return items
