"""What a request's page and its letter show: the read models (template contexts) of the
request (draft, check, send, review and conversation), the readability of typed text, and the
printable letter and its PDF. Each looks the request up inside the actor's case scope."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from portal.accounts.models import User
from portal.accounts.permissions import Permission
from portal.accounts.unit import Unit
from portal.cases.errors import CaseNotFound
from portal.cases.models import Case
from portal.kit.pages import AboutPerson
from portal.people.models import Person
from portal.rendering import Unprintable
from portal.victims_code.lifecycle import status as obligation_status
from portal.victims_code.models import Obligation
from portal.vlu import repository, states
from portal.vlu.contact import SEND_CHANNELS
from portal.vlu.directory import Unit as VluUnit
from portal.vlu.directory import directory
from portal.vlu.letter_layout import (
    LetterLayout,
    goes_to_representative,
    layout,
    recipient_block,
    representative_of,
)
from portal.vlu.letters import TEMPLATES, long_date
from portal.vlu.models import VluDecision, VluLetter, VluMessage, VluRequest, VluTransition
from portal.vlu.printing import letter_pdf as letter_pdf_bytes
from portal.vlu.readability import Readability, flesch
from portal.vlu.repository import RequestRow
from portal.vlu.service.common import (
    audit_entry,
    facts_for,
    london_today,
    recipient_for,
)
from portal.vlu.service.drafting import first_draft
from portal.vlu.service.pages import (
    Page,
    ReadModel,
    display_name,
    letter_labels,
    reasons_readability,
)
from portal.vlu.service.review_page import ReviewView, review_view
from portal.vlu.service.sending import refusals_for
from portal.vlu.states import Action, State

REVIEW_LABELS = {
    Action.RECORD_REVIEW_REQUEST: "Record a Right to Review request",
    Action.START_LOCAL_RESOLUTION: "Start local resolution",
    Action.RECORD_OUTCOME: "Record the local resolution outcome",
    Action.SEND_LOCAL_LETTER: "Record the outcome letter as sent",
    Action.REFER_INDEPENDENT: "Refer for independent review",
    Action.CONCLUDE_REVIEW: "Conclude the review",
    Action.RECORD_INDEPENDENT_OUTCOME: "Record the independent review outcome",
    Action.SEND_INDEPENDENT_LETTER: "Record the outcome letter as sent",
}
# When the officer chooses between steps (after the local resolution letter).
REVIEW_CHOICE_LABELS = {
    Action.REFER_INDEPENDENT: "The victim asked for an independent review",
    Action.CONCLUDE_REVIEW: "The victim did not ask for an independent review: conclude it",
}
REVIEW_DATE_LABELS = {
    Action.RECORD_REVIEW_REQUEST: "When did the victim ask for a review?",
    Action.START_LOCAL_RESOLUTION: "When did local resolution start?",
    Action.RECORD_OUTCOME: "When was the outcome decided?",
    Action.SEND_LOCAL_LETTER: "When was the outcome letter sent?",
    Action.RECORD_INDEPENDENT_OUTCOME: "When was the outcome decided?",
    Action.SEND_INDEPENDENT_LETTER: "When was the outcome letter sent?",
}


def _officer_name(unit: Unit) -> str:
    officer = unit.db.get(User, unit.actor.user_id)
    return officer.display_name if officer else ""


def template_text(unit: Unit, row: RequestRow) -> str:
    """The letter as the template writes it, from the prosecutor's reasons."""
    return first_draft(
        unit.vault,
        request=row.request,
        decision=row.decision,
        case=row.case,
        person=row.person,
        reasons=unit.vault.open_text(row.decision, "reasons") or "",
        officer_name=_officer_name(unit),
    )


@dataclass(frozen=True, slots=True)
class SendView:
    """How the letter may be sent (each channel, with why it is refused) and the victim's
    safe-contact rules: shown only where sending is offered."""

    send_options: list[tuple[str, str, str | None]] = field(default_factory=list)
    do_not_tell: Any = ""
    safe_times: Any = ""
    no_voicemail: bool = False


def _recipient_view(unit: Unit, row: RequestRow) -> SendView:
    recipient = recipient_for(unit.vault, row.person)
    refusals = refusals_for(unit.db, unit.vault, row.request, row.person)
    return SendView(
        send_options=[(code, spec.label, refusals[code]) for code, spec in SEND_CHANNELS.items()],
        do_not_tell=recipient.safe.do_not_tell,
        safe_times=recipient.safe.safe_times,
        no_voicemail=recipient.safe.no_voicemail,
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class RequestPage(ReadModel, AboutPerson[Case, Person]):
    row: RequestRow
    vreq: VluRequest
    decision: VluDecision
    unit: VluUnit
    today: date
    due_on: date | None
    obligation: Obligation | None
    obligation_status: Any
    actions: list[str]
    reasons: Any
    no_meeting_reason: Any
    letter: VluLetter | None
    body: str
    readability: Readability | None
    reasons_readability: Readability | None
    check_notes: Any
    review_notes: Any
    review: ReviewView
    transitions: list[VluTransition]
    messages: list[tuple[VluMessage, Any]]
    staff: dict[uuid.UUID, str]
    may_message: bool
    may_read_letter: bool
    drafter_is_me: bool
    needs_redraft: bool
    template_title: str
    sent_on_long: str
    send_options: list[tuple[str, str, str | None]]
    do_not_tell: Any
    safe_times: Any
    no_voicemail: bool

    def extra(self) -> Page:
        review_labels = {a.value: label for a, label in REVIEW_LABELS.items()}
        file_marking = directory().markings.file_copy  # the copy kept on the file
        return {
            **letter_labels(),
            "review_labels": review_labels,
            "review_choice_labels": {a.value: t for a, t in REVIEW_CHOICE_LABELS.items()},
            "review_date_labels": {a.value: t for a, t in REVIEW_DATE_LABELS.items()},
            "file_marking": file_marking,
        }


def request_page(
    unit: Unit,
    case_id: uuid.UUID,
    request_id: uuid.UUID,
    *,
    draft_text: str | None = None,
    use_template: bool = False,
    record_view: bool = False,
) -> RequestPage:
    """A request's page. ``draft_text`` is the letter as typed (shown instead of the saved one),
    ``use_template`` starts it again from the template, ``record_view`` logs the consultation
    (the GET)."""
    db, actor, vault = unit.db, unit.actor, unit.vault
    row = repository.get_request(db, actor, case_id, request_id)
    request, decision, person, case = row.request, row.decision, row.person, row.case
    if record_view:
        audit_entry(db, actor, request, person, category="consultation", action="vlu.request.view")
    if use_template:
        draft_text = template_text(unit, row)
    today = london_today()
    review = review_view(db, vault, actor, request, decision, person, today)
    facts = review.facts or facts_for(request, decision, actor)
    actions = states.actions_for(State(request.state), actor, facts)
    vault.load({person.key_id, decision.key_id})
    erased = person.erased  # their key is destroyed: nothing sealed under it can be opened

    def own(row: Any, column: str) -> Any:
        return None if erased else vault.open(row, column)

    letter = repository.letter_of(db, request.id)
    saved_body = vault.open_text(letter, "body") if letter is not None and not erased else None
    body = draft_text if draft_text is not None else saved_body
    reasons_text = vault.open_text(decision, "reasons")
    if body is None and Action.DRAFT in actions and reasons_text is not None and not erased:
        body = template_text(unit, row)
    obligation = db.get(Obligation, request.obligation_id) if request.obligation_id else None
    transitions = repository.transitions_of(db, request.id)
    messages = repository.messages_of(db, request.id)
    staff = repository.staff_names(
        db,
        {t.by_id for t in transitions}
        | {m.author_id for m in messages}
        | {request.drafted_by_id, request.checked_by_id, request.sent_by_id},
    )
    send_view = _recipient_view(unit, row) if Action.SEND in actions else SendView()
    return RequestPage(
        row=row,
        vreq=request,
        decision=decision,
        case=case,
        person=person,
        name=display_name(vault, person),
        unit=directory().unit_for(request.unit),
        today=today,
        due_on=row.due_on,
        obligation=obligation,
        obligation_status=obligation_status(obligation, today) if obligation else None,
        actions=[a.value for a in actions],
        reasons=vault.open(decision, "reasons"),
        no_meeting_reason=vault.open(decision, "no_meeting_reason"),
        letter=letter,
        body=body or "",
        readability=flesch(body) if body else None,
        reasons_readability=reasons_readability(vault, decision, None),
        check_notes=own(request, "check_notes"),
        review_notes=own(request, "review_notes"),
        review=review,
        transitions=transitions,
        messages=[(m, own(m, "body")) for m in messages],
        staff=staff,
        may_message=actor.can(Permission.MESSAGE_ON_REQUEST),
        may_read_letter=actor.can(Permission.READ_LETTER),
        drafter_is_me=facts.actor_drafted and request.state == State.DRAFTED.value,
        needs_redraft=request.state == State.NEEDS_REDRAFT.value,
        template_title=TEMPLATES.get(decision.kind, ""),
        sent_on_long=long_date(request.sent_on) if request.sent_on else "",
        send_options=send_view.send_options,
        do_not_tell=send_view.do_not_tell,
        safe_times=send_view.safe_times,
        no_voicemail=send_view.no_voicemail,
    )


def readability_of(
    unit: Unit, case_id: uuid.UUID, request_id: uuid.UUID, text: str
) -> Readability | None:
    """The score for the text being typed: computed, never stored, nothing logged (the request
    is looked up all the same: out of scope is a 404)."""
    repository.get_request(unit.db, unit.actor, case_id, request_id)
    return flesch(text) if text.strip() else None


# --- the letter, printable and as a PDF ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LetterPage:
    """The letter to print, or ``withheld``: it needs redrafting (returned for changes, or it
    named a person whose identity has since been sealed), and is neither shown nor downloaded
    until it is redrafted."""

    row: RequestRow
    withheld: bool
    letter: VluLetter | None = None
    body: str = ""
    unit: VluUnit | None = None
    dated: str = ""
    layout: LetterLayout | None = None
    why: str = ""  # withheld: the step that returned it (return, identity_sealed, ...)

    def context(self) -> Page:
        row = self.row
        if self.withheld:
            return {"case": row.case, "vreq": row.request, "person": row.person, "why": self.why}
        return {
            "row": row,
            "case": row.case,
            "vreq": row.request,
            "person": row.person,
            "letter": self.letter,
            "paragraphs": [p for p in self.body.split("\n\n") if p.strip()],
            "body": self.body,
            "unit": self.unit,
            "dated": self.dated,
            "layout": self.layout,
        }


def letter_page(unit: Unit, case_id: uuid.UUID, request_id: uuid.UUID) -> LetterPage:
    db, vault = unit.db, unit.vault
    row = repository.get_request(db, unit.actor, case_id, request_id)
    letter = repository.letter_of(db, row.request.id)
    if letter is None or row.person.erased:
        raise CaseNotFound(row.request.id)
    if row.request.state == State.NEEDS_REDRAFT.value:
        steps = repository.transitions_of(db, row.request.id)
        return LetterPage(row, withheld=True, why=steps[-1].action if steps else "")
    body = vault.open_text(letter, "body") or ""
    audit_entry(
        db,
        unit.actor,
        row.request,
        row.person,
        category="consultation",
        action="vlu.letter.view",
        object_type="vlu_letter",
        object_id=letter.id,
    )
    vlu_unit = directory().unit_for(row.request.unit)
    dated = long_date(row.request.sent_on or london_today())
    return LetterPage(
        row,
        withheld=False,
        letter=letter,
        body=body,
        unit=vlu_unit,
        dated=dated,
        layout=letter_layout(unit, row, vlu_unit, dated),
    )


def letter_layout(unit: Unit, row: RequestRow, vlu_unit: VluUnit, dated: str) -> LetterLayout:
    """The victim's copy: addressed to them (or their representative), with the unit's contact
    details, the date and a reference, and no protective marking. The vault withholds a sealed
    identity's name and address, so none is printed."""
    vault, person = unit.vault, row.person
    facts = recipient_for(vault, person)
    to_rep = goes_to_representative(row.request.channel, facts.safe, facts.has_representative)
    recipient = recipient_block(
        name=None if person.identity_sealed else vault.open_text(person, "full_name"),
        business=vault.open_text(person, "business_contact") if person.is_business else None,
        address=vault.open_text(person, "address"),
        representative=representative_of(vault.open_text(person, "representative"))
        if to_rep
        else {},
        to_representative=to_rep,
    )
    return layout(
        directory(),
        vlu_unit,
        recipient=recipient,
        dated=dated,
        urn=row.case.urn,
        person_reference=person.reference,
    )


@dataclass(frozen=True, slots=True)
class LetterPdf:
    """The letter as a PDF (``pdf``), or why not: ``page.withheld``, or ``unprintable``."""

    page: LetterPage
    pdf: bytes = b""
    unprintable: str = ""

    @property
    def filename(self) -> str:
        row = self.page.row
        return f"decision-letter-{row.case.urn}-{row.person.reference}.pdf"


def letter_pdf(unit: Unit, case_id: uuid.UUID, request_id: uuid.UUID) -> LetterPdf:
    page = letter_page(unit, case_id, request_id)
    if page.withheld:
        return LetterPdf(page)
    assert page.unit is not None
    try:
        assert page.layout is not None
        pdf = letter_pdf_bytes(page.layout, text=page.body, urn=page.row.case.urn)
    except Unprintable as exc:
        return LetterPdf(page, unprintable=exc.reason)
    return LetterPdf(page, pdf=pdf)
