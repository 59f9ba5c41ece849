"""Victims and witnesses in a case: adding them, their page, editing and their safeguards.

Every route is under ``/cases/{case_id}``: the case is loaded through the scoped repository, so a
case (or person) outside the user's scope answers 404. URLs carry ids only, never personal data.
Forms keep what was typed on any error; edits are optimistically locked and a conflict shows both
versions side by side with everything typed kept. htmx swaps the details and actions blocks in
place; without JavaScript the same URLs answer with full pages.

Each handler reads its form (``portal.people.forms``), makes one call to ``portal.people.pages``
and renders or redirects; showing a refused form again reads the page it sits on.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from starlette.responses import Response

from portal.accounts.permissions import Permission
from portal.people import pages, recording
from portal.people.forms import (
    ROLES,
    SUPPORT_OPTIONS,
    ActionForm,
    ContactAddForm,
    ContactForm,
    DetailsForm,
    DoneForm,
    EnhancedForm,
    NeedsForm,
    NewPersonForm,
    NrmForm,
    PeopleForm,
    ReferenceForm,
    ReferralForm,
    RoleForm,
    SmallForm,
    contact_values,
    enhanced_input,
    needs_input,
)
from portal.people.models import Person
from portal.people.safeguarding import CHANNEL_LABELS, NEED_KINDS, NEED_QUESTIONS, RISK_LEVELS
from portal.web.forms import FieldErrors
from portal.web.pages import get, post
from portal.web.routing import RequestContext, requires

P = Permission
EDIT_PERSON, VIEW_CASES = requires(P.EDIT_PERSON), requires(P.VIEW_CASES)
EDIT_SAFEGUARDS, ACTIONS = requires(P.EDIT_SAFEGUARDS), requires(P.MANAGE_SAFEGUARDING_ACTIONS)
VIEW_NEEDS, RECORD_NEEDS = requires(P.VIEW_NEEDS_ASSESSMENTS), requires(P.RECORD_NEEDS_ASSESSMENT)
ACTION_DONE_STALE = (
    "Someone else changed this action since you opened the page. Check it and try again"
)


# --- shared helpers -------------------------------------------------------------------------


def _ids(ctx: RequestContext) -> tuple[uuid.UUID, uuid.UUID]:
    return ctx.path_id("case_id"), ctx.path_id("person_id")


def _status(ctx: RequestContext, code: int) -> int:
    """htmx swaps only 2xx answers by default, so a fragment with errors is sent as 200."""
    return 200 if ctx.is_htmx else code


def _render(
    ctx: RequestContext,
    template: str,
    context: dict[str, Any],
    *,
    block: str | None = None,
    status_code: int = 200,
) -> Response:
    """A page, or its ``block`` for htmx (``ctx.render`` tells the template which); the block
    answers 2xx so htmx swaps it."""
    return ctx.render(
        template,
        context,
        block=block,
        status_code=_status(ctx, status_code) if block else status_code,
    )


def _to_person(ctx: RequestContext, person: Person, case_id: uuid.UUID, anchor: str) -> Response:
    url = ctx.url_for("person_page", case_id=case_id, person_id=person.id)
    return ctx.redirect_to(f"{url}#{anchor}")


def _form_context(**extra: Any) -> dict[str, Any]:
    return {
        "roles": ROLES,
        "channels": list(CHANNEL_LABELS.items()),
        "support_options": list(SUPPORT_OPTIONS),
        **extra,
    }


# --- adding a person ------------------------------------------------------------------------


def person_new(ctx: RequestContext) -> Response:
    case = pages.new_person_page(ctx.unit, ctx.path_id("case_id"))
    return ctx.render("people/new.html", _form_context(case=case, **NewPersonForm().context()))


def person_create(ctx: RequestContext) -> Response:
    case_id = ctx.path_id("case_id")
    form = NewPersonForm(ctx.form)
    new = pages.PersonToAdd(
        form.details(), form.is_victim, form.is_witness, form.rules(), form.needs()
    )
    with form.service_errors():
        person = pages.add_person(ctx.unit, case_id, new, unreadable=form.unreadable())
        ctx.flash(f"Person added to the case. Their reference is {person.reference}")
        return ctx.redirect("person_page", case_id=case_id, person_id=person.id)
    case = pages.new_person_page(ctx.unit, case_id)
    context = _form_context(case=case, **form.context())
    return ctx.render("people/new.html", context, status_code=400)


# --- the person page ------------------------------------------------------------------------


def _person(
    ctx: RequestContext,
    page: pages.PersonPage,
    *,
    form: PeopleForm | None = None,
    block: str | None = None,
    status_code: int = 200,
) -> Response:
    context = {
        **page.context(),
        "errors": form.errors if form else FieldErrors(),
        "values": form.values if form else {},
    }
    return _render(ctx, "people/person.html", context, block=block, status_code=status_code)


def person_page(ctx: RequestContext) -> Response:
    # htmx asks for the page only to put the details back after "Cancel" on the inline form.
    return _person(ctx, pages.person_page(ctx.unit, *_ids(ctx)), block="details")


# --- editing details (optimistic locking) ---------------------------------------------------


def _edit(
    ctx: RequestContext,
    loaded: tuple[Any, Person],
    form: DetailsForm,
    version: int,
    status_code: int = 200,
) -> Response:
    case, person = loaded
    context = {
        "case": case,
        "person": person,
        "values": form.values,
        "version": version,
        "errors": form.errors,
    }
    return _render(ctx, "people/edit.html", context, block="details_form", status_code=status_code)


def person_edit(ctx: RequestContext) -> Response:
    page = pages.edit_page(ctx.unit, *_ids(ctx))
    return _edit(ctx, (page.case, page.person), DetailsForm.of(page.view), page.person.version)


def person_update(ctx: RequestContext) -> Response:
    case_id, person_id = _ids(ctx)
    form = DetailsForm(ctx.form)
    with form.service_errors():
        outcome = pages.save_details(
            ctx.unit,
            case_id,
            person_id,
            form.details(),
            version=form.version,
            unreadable=form.unreadable(),
            show_page=ctx.is_htmx,
        )
        if isinstance(outcome, pages.DetailsConflict):
            return _conflict(ctx, outcome, form)
        if outcome.page is not None:
            return _person(ctx, outcome.page, block="details")
        ctx.flash("Personal details saved" if outcome.changed else "Nothing was changed")
        return ctx.redirect("person_page", case_id=case_id, person_id=person_id)
    case, _, person = pages.person_in_case(ctx.unit, case_id, person_id)
    return _edit(ctx, (case, person), form, form.version, 400)


def _conflict(ctx: RequestContext, conflict: pages.DetailsConflict, form: DetailsForm) -> Response:
    """Someone saved first: show theirs beside yours, and keep everything typed to resubmit."""
    context = {
        "case": conflict.case,
        "person": conflict.person,
        "rows": form.compare(conflict.current),
        "values": form.values,
        "version": conflict.version,
        "errors": FieldErrors(),
    }
    return _render(ctx, "people/conflict.html", context, block="details_form", status_code=409)


# --- communication needs and safe-contact rules ---------------------------------------------


def _contact(
    ctx: RequestContext,
    loaded: tuple[Any, Person],
    values: dict[str, Any],
    version: int,
    errors: FieldErrors,
    *,
    theirs: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    case, person = loaded
    context = _form_context(
        case=case, person=person, values=values, version=version, errors=errors, theirs=theirs
    )
    return ctx.render("people/contact.html", context, status_code=status_code)


def contact_page(ctx: RequestContext) -> Response:
    page = pages.contact_page(ctx.unit, *_ids(ctx))
    values = contact_values(page.safe_contact, page.needs)
    return _contact(ctx, (page.case, page.person), values, page.person.version, FieldErrors())


def contact_update(ctx: RequestContext) -> Response:
    case_id, person_id = _ids(ctx)
    form = ContactForm(ctx.form)
    with form.service_errors():
        _, _, person = pages.save_contact(
            ctx.unit,
            case_id,
            person_id,
            form.rules(),
            form.needs(),
            version=form.version,
            unreadable=form.unreadable(),
        )
        ctx.flash("Communication needs and safe-contact rules saved")
        return _to_person(ctx, person, case_id, "contact")
    case, _, person = pages.person_in_case(ctx.unit, case_id, person_id)
    if form.stale is not None:
        theirs = contact_values(form.stale.current["safe_contact"], form.stale.current["needs"])
        version = form.stale.current_version
        return _contact(
            ctx, (case, person), form.values, version, FieldErrors(), theirs=theirs, status_code=409
        )
    return _contact(ctx, (case, person), form.values, form.version, form.errors, status_code=400)


# --- needs assessment -----------------------------------------------------------------------


def _needs_page(
    ctx: RequestContext,
    page: pages.NeedsPage,
    form: PeopleForm,
    *,
    version: int | None = None,
    theirs: dict[str, Any] | None = None,
) -> Response:
    context = {
        "case": page.case,
        "party": page.party,
        "person": page.person,
        "history": page.history,
        "values": form.values,
        "errors": form.errors,
        "version": page.party.version if version is None else version,
        "theirs": theirs,
        "need_kinds": NEED_KINDS,
        "questions": NEED_QUESTIONS,
        "risk_levels": list(RISK_LEVELS.items()),
        "risk_labels": RISK_LEVELS,
        "may_assess": page.may_assess,
    }
    return ctx.render("safeguards/needs_assessment.html", context, status_code=form.status_code)


def needs_page(ctx: RequestContext) -> Response:
    page = pages.needs_page(ctx.unit, *_ids(ctx))
    return _needs_page(ctx, page, NeedsForm.initial(**page.stored))


def needs_record(ctx: RequestContext) -> Response:
    case_id, person_id = _ids(ctx)
    form = NeedsForm(ctx.form)
    version: int = form.data["version"]
    with form.service_errors(stale_field="assessed_on"):
        _, _, person = pages.record_needs(
            ctx.unit,
            case_id,
            person_id,
            needs_input(form),
            version=version,
            unreadable=form.unreadable(),
        )
        ctx.flash("Needs assessment recorded")
        return _to_person(ctx, person, case_id, "needs")
    page = pages.needs_page(ctx.unit, case_id, person_id)
    if form.stale is not None:
        stale = form.stale
        return _needs_page(ctx, page, form, version=stale.current_version, theirs=stale.current)
    return _needs_page(ctx, page, form, version=version)


# --- safeguarding actions (htmx: the actions block is swapped in place) ---------------------


def _actions_changed(
    ctx: RequestContext, person: Person, case_id: uuid.UUID, message: str
) -> Response:
    """htmx puts the actions block back in place; without JavaScript, back to the page."""
    if ctx.is_htmx:
        return _person(ctx, pages.person_page(ctx.unit, case_id, person.id), block="actions")
    ctx.flash(message)
    return _to_person(ctx, person, case_id, "actions")


def action_add(ctx: RequestContext) -> Response:
    case_id, person_id = _ids(ctx)
    form = ActionForm(ctx.form)
    with form.service_errors():
        _, _, person = pages.add_action(
            ctx.unit, case_id, person_id, **form.given(), unreadable=form.unreadable()
        )
        return _actions_changed(ctx, person, case_id, "Safeguarding action added")
    page = pages.person_page(ctx.unit, case_id, person_id)
    return _person(ctx, page, form=form, block="actions", status_code=400)


def action_done(ctx: RequestContext) -> Response:
    case_id, person_id = _ids(ctx)
    action_id = ctx.path_id("action_id")
    form = DoneForm(ctx.form)
    with form.service_errors(stale_field=f"done-{action_id}", stale_message=ACTION_DONE_STALE):
        _, _, person = pages.complete_action(
            ctx.unit, case_id, person_id, action_id, version=form.version
        )
        return _actions_changed(ctx, person, case_id, "Safeguarding action marked as done")
    page = pages.person_page(ctx.unit, case_id, person_id)
    return _person(ctx, page, form=form, block="actions", status_code=409)


# --- referrals, NRM decisions and reference numbers -----------------------------------------


def _refused(ctx: RequestContext, form: PeopleForm) -> Response:
    """The person page again, with one small form's errors and what was typed in it."""
    page = pages.person_page(ctx.unit, *_ids(ctx))
    return _person(ctx, page, form=form, status_code=400)


def _small_form(
    form_class: type[SmallForm],
    add: Callable[..., tuple[Any, Any, Person]],
    message: str,
    anchor: str,
) -> Callable[[RequestContext], Response]:
    """The handler of one small form of the person page: ``add`` (a ``pages`` call taking the
    form's typed values as keywords) saved, back to its section with ``message``; refused, the
    page again with the form's errors."""

    def handler(ctx: RequestContext) -> Response:
        case_id, person_id = _ids(ctx)
        form = form_class(ctx.form)
        with form.service_errors():
            _, _, person = add(
                ctx.unit, case_id, person_id, **form.given(), unreadable=form.unreadable()
            )
            ctx.flash(message)
            return _to_person(ctx, person, case_id, anchor)
        return _refused(ctx, form)

    return handler


referral_add = _small_form(ReferralForm, pages.add_referral, "Referral recorded", "support")
nrm_add = _small_form(
    NrmForm, pages.add_nrm_decision, "National Referral Mechanism decision recorded", "nrm"
)
reference_add = _small_form(
    ReferenceForm, pages.add_reference, "Reference number added", "references"
)

contact_add = _small_form(
    ContactAddForm, recording.add_contact, "Parent, guardian or representative added", "contacts"
)


def contact_remove(ctx: RequestContext) -> Response:
    case_id, person_id = _ids(ctx)
    at, removed = recording.remove_contact(ctx.unit, case_id, person_id, ctx.path_id("contact_id"))
    ctx.flash("Contact removed" if removed else "That contact had already been removed")
    return _to_person(ctx, at.person, case_id, "contacts")


# --- their part in the case and their enhanced rights ---------------------------------------


def _role(ctx: RequestContext, page: recording.RolePage, form: PeopleForm) -> Response:
    context = {"case": page.case, "person": page.person, "roles": ROLES, **form.context()}
    return ctx.render("people/role.html", context, status_code=form.status_code)


def role_page(ctx: RequestContext) -> Response:
    page = recording.role_page(ctx.unit, *_ids(ctx))
    return _role(ctx, page, RoleForm.initial(role=page.role, version=page.party.version))


def role_update(ctx: RequestContext) -> Response:
    case_id, person_id = _ids(ctx)
    form = RoleForm(ctx.form)
    with form.service_errors():
        if form.valid:
            (_, _, person), changed = recording.save_role(
                ctx.unit, case_id, person_id, is_victim=form.is_victim,
                is_witness=form.is_witness, version=form.version,
            )  # fmt: skip
            ctx.flash("Part in the case changed" if changed else "Nothing was changed")
            return _to_person(ctx, person, case_id, "details")
    if form.stale is not None:
        form.values["version"] = str(form.stale.current_version)
    return _role(ctx, recording.role_page(ctx.unit, case_id, person_id), form)


def _enhanced(
    ctx: RequestContext, page: recording.EnhancedPage, form: PeopleForm, theirs: Any = None
) -> Response:
    context = {"page": page, "case": page.case, "person": page.person, "theirs": theirs}
    return ctx.render(
        "people/enhanced.html", context | form.context(), status_code=form.status_code
    )


def enhanced_page(ctx: RequestContext) -> Response:
    page = recording.enhanced_page(ctx.unit, *_ids(ctx))
    return _enhanced(ctx, page, EnhancedForm.initial(**page.stored, version=page.party.version))


def enhanced_update(ctx: RequestContext) -> Response:
    case_id, person_id = _ids(ctx)
    form = EnhancedForm(ctx.form)
    with form.service_errors(stale_field="categories"):
        (_, _, person), changed = recording.save_enhanced(
            ctx.unit, case_id, person_id, enhanced_input(form), version=form.data["version"],
            unreadable=form.unreadable(),
        )  # fmt: skip
        ctx.flash("Enhanced-rights categories saved" if changed else "Nothing was changed")
        return _to_person(ctx, person, case_id, "rights")
    page, theirs = recording.enhanced_form_page(ctx.unit, case_id, person_id), None
    if form.stale is not None:
        form.values["version"] = str(form.stale.current_version)
        stored = form.stale.current["categories"]
        theirs = [c.label for c in page.categories if c.code in stored]
    return _enhanced(ctx, page, form, theirs)


PERSON = "/cases/{case_id:uuid}/people/{person_id:uuid}"
NEW = "/cases/{case_id:uuid}/people/new"
REMOVE_CONTACT = "/contacts/{contact_id:uuid}/remove"


routes = [
    get(NEW, person_new, EDIT_PERSON, "person_new"),
    post(NEW, person_create, EDIT_PERSON, "person_create"),
    get(PERSON, person_page, VIEW_CASES, "person_page"),
    get(PERSON + "/edit", person_edit, EDIT_PERSON, "person_edit"),
    post(PERSON + "/edit", person_update, EDIT_PERSON, "person_update"),
    get(PERSON + "/contact", contact_page, EDIT_SAFEGUARDS, "person_contact"),
    post(PERSON + "/contact", contact_update, EDIT_SAFEGUARDS, "person_contact_update"),
    get(PERSON + "/needs-assessment", needs_page, VIEW_NEEDS, "person_needs"),
    post(PERSON + "/needs-assessment", needs_record, RECORD_NEEDS, "person_needs_record"),
    post(PERSON + "/actions", action_add, ACTIONS, "person_action_add"),
    post(PERSON + "/actions/{action_id:uuid}/done", action_done, ACTIONS, "person_action_done"),
    post(PERSON + "/referrals", referral_add, EDIT_SAFEGUARDS, "person_referral_add"),
    post(PERSON + "/nrm", nrm_add, EDIT_SAFEGUARDS, "person_nrm_add"),
    post(PERSON + "/references", reference_add, EDIT_SAFEGUARDS, "person_reference_add"),
    post(PERSON + "/contacts", contact_add, EDIT_SAFEGUARDS, "person_linked_add"),
    post(PERSON + REMOVE_CONTACT, contact_remove, EDIT_SAFEGUARDS, "person_linked_remove"),
    get(PERSON + "/role", role_page, EDIT_PERSON, "person_role"),
    post(PERSON + "/role", role_update, EDIT_PERSON, "person_role_update"),
    get(PERSON + "/enhanced-rights", enhanced_page, EDIT_PERSON, "person_enhanced"),
    post(PERSON + "/enhanced-rights", enhanced_update, EDIT_PERSON, "person_enhanced_update"),
]
