"""The people pages' forms: they read what was typed; the services hold every rule.

Each form binds the request once (typed values, what was typed by input name for the page, and
the fields it could not read at all, such as a date that is not a date). The rules (required
fields, lengths, a telephone number's shape, dates in the past) are checked once, by the service
the route calls, which also refuses to save when a field could not be read
(``unreadable=form.unreadable()``); its ``ValidationFailed`` lands on the form in page order and
a field keeps the first message it got, so an unreadable date keeps its own.

Small forms on the person page prefix their inputs (``action-description``); the service's
errors use the unprefixed names and the form puts the prefix back.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import date
from typing import Any

from portal.people import service as people
from portal.people.actions import PARTNER
from portal.people.linked import NewContact
from portal.people.roles import RECORDABLE, Reason
from portal.people.safeguarding import NEED_KINDS
from portal.people.vocabulary import vocabulary
from portal.web.dates import LEGACY_LATEST, DateField, parse_date_parts
from portal.web.fields import Checkbox, Choice, Field, MultiChoice, Text, TextArea, Version
from portal.web.forms import Form

# Reading only: the services say how long each value may be. No single field can be longer
# than the request edge lets in (256 KiB), so this bound never answers on its own.
TYPED = 262_144

DETAIL_LABELS = {
    "full_name": "Full name",
    "date_of_birth": "Date of birth",
    "address": "Address",
    "phone": "Telephone number",
    "email": "Email address",
}
ROLES = (("victim", "Victim"), ("witness", "Witness"), ("both", "Victim and witness"))
SUPPORT_OPTIONS = (
    ("interpreter", "Needs an interpreter"),
    ("intermediary", "Needs an intermediary (Witness Intermediary Scheme)"),
)


def _shown_date(text: str) -> str:
    parsed = people.parse_date(text)
    return f"{parsed.day} {parsed:%B %Y}" if parsed else text


def _text(label: str, *, name: str = "") -> Text:
    return Text(label, max_length=TYPED, required=False, name=name)


def _area(label: str, *, name: str = "") -> TextArea:
    return TextArea(label, max_length=TYPED, required=False, name=name)


def _date(label: str, *, name: str = "") -> DateField[date | None]:
    return DateField(label, required=False, latest=LEGACY_LATEST, name=name)


def _details(
    data: Mapping[str, Any], *, is_business: bool, business_contact: str
) -> people.PersonDetails:
    return people.PersonDetails(
        full_name=data["full_name"],
        date_of_birth=data["date_of_birth"],
        address=data["address"] or None,
        phone=data["phone"] or None,
        email=data["email"] or None,
        is_business=is_business,
        business_contact=business_contact or None,
    )


def _rules(data: Mapping[str, Any]) -> people.SafeContact:
    return people.SafeContact(
        channels=tuple(data["channels"]),
        safe_times=data["safe_times"],
        no_voicemail=bool(data["no_voicemail"]),
        do_not_tell=data["do_not_tell"],
    )


def _needs(data: Mapping[str, Any]) -> people.CommunicationNeeds:
    support = data["communication_support"]
    return people.CommunicationNeeds(
        language=data["language"],
        interpreter="interpreter" in support,
        intermediary="intermediary" in support,
        adjustments=data["adjustments"],
    )


PeopleForm = Form  # prefixed inputs and ``unreadable()`` are ``Form``'s own


# --- a person's details and their contact rules ---------------------------------------------


class PersonFields(PeopleForm):
    """Who the person is (editing their details, and part of adding them)."""

    full_name = _text("Full name")
    date_of_birth = _date("Date of birth")
    address = _area("Address")
    phone = _text("Telephone number")
    email = _text("Email address")


class DetailsForm(PersonFields):
    """Editing a person's details (optimistically locked)."""

    version = Version()

    def details(self) -> people.PersonDetails:
        return _details(self.data, is_business=False, business_contact="")

    def compare(self, current: Mapping[str, Any]) -> list[dict[str, Any]]:
        """Theirs (``current``, as stored) beside what was typed, field by field."""
        values = self.values
        parts = [str(values[f"date_of_birth-{p}"]) for p in ("day", "month", "year")]
        typed_dob, _ = parse_date_parts(*parts, label="Date of birth")
        yours = {name: str(values[name]) for name in DETAIL_LABELS if name != "date_of_birth"}
        yours["date_of_birth"] = typed_dob.isoformat() if typed_dob else ""
        rows = []
        for name, label in DETAIL_LABELS.items():
            theirs = str(current.get(name) or "")
            mine = yours[name]
            shown_theirs, shown_mine = theirs, mine
            if name == "date_of_birth":
                shown_theirs, shown_mine = _shown_date(theirs), _shown_date(mine)
                if not typed_dob and any(parts):
                    shown_mine = "/".join(parts)
            rows.append(
                {
                    "name": name,
                    "label": label,
                    "theirs": shown_theirs,
                    "yours": shown_mine,
                    "differs": theirs.strip() != mine.strip(),
                }
            )
        return rows

    @classmethod
    def of(cls, view: people.PersonView) -> DetailsForm:
        stored = view.form_values()
        return cls.initial(
            full_name=stored["full_name"],
            date_of_birth=view.date_of_birth,
            address=stored["address"],
            phone=stored["phone"],
            email=stored["email"],
            version=view.person.version,
        )


class ContactFields(PeopleForm):
    """Communication needs and safe-contact rules (their own page, and part of adding)."""

    language = _text("Language")
    communication_support = MultiChoice("Support to communicate", list(SUPPORT_OPTIONS))
    adjustments = _area("Adjustments")
    channels = MultiChoice(
        "How it is safe to contact the person",
        [(c, c) for c in people.SAFE_CONTACT_CHANNELS],
        message="Select how it is safe to contact the person",
    )
    safe_times = _text("Safe times")
    no_voicemail = Checkbox("Voicemail")
    do_not_tell = _area("Who must not be told")

    def rules(self) -> people.SafeContact:
        return _rules(self.data)

    def needs(self) -> people.CommunicationNeeds:
        return _needs(self.data)


class ContactForm(ContactFields):
    """The contact rules' own page (optimistically locked)."""

    version = Version()


def contact_values(rules: people.SafeContact, needs: people.CommunicationNeeds) -> dict[str, Any]:
    """What the contact fields show for stored rules (a first rendering, or theirs)."""
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


class _TheirPart:
    """What ``role`` (victim, witness or both) makes of the person."""

    role: str

    @property
    def is_victim(self) -> bool:
        return self.role in {"victim", "both"}

    @property
    def is_witness(self) -> bool:
        return self.role in {"witness", "both"}


class Adding(_TheirPart, PeopleForm):
    role = _text("Their part in the case")
    is_business = Checkbox("A business")
    business_contact = _text("Name of the business's contact")


class NewPersonForm(ContactFields, PersonFields, Adding):
    """Adding a victim or witness: their part, who they are, how to reach them safely (the
    fields in that order: a base's come before those of the bases listed before it)."""

    def details(self) -> people.PersonDetails:
        is_business = bool(self.is_business)
        contact = self.business_contact if is_business else ""
        return _details(self.data, is_business=is_business, business_contact=contact)


# --- the needs assessment -------------------------------------------------------------------


def _needs_fields() -> dict[str, Field[Any]]:
    fields: dict[str, Field[Any]] = {"assessed_on": _date("Date of the assessment")}
    for kind, label in NEED_KINDS:
        fields[kind] = _text(label)
        fields[f"{kind}_details"] = _area(f"{label} details")
    fields["notes"] = _area("Other needs")
    fields["risk_level"] = _text("Risk level")
    fields["pre_trial_visit_on"] = _date("Date of the visit")
    fields["witness_service_referred_on"] = _date("Date of the referral")
    fields["version"] = Version()
    return fields


NeedsForm: type[PeopleForm] = type("NeedsForm", (PeopleForm,), _needs_fields())


def needs_input(form: PeopleForm) -> Any:
    """The typed assessment (``portal.people.needs.NeedsInput``)."""
    from portal.people.needs import Need, NeedsInput

    data = form.data
    return NeedsInput(
        needs={
            kind: Need({"yes": True, "no": False}.get(data[kind]), data[f"{kind}_details"])
            for kind, _ in NEED_KINDS
        },
        notes=data["notes"],
        assessed_on=data["assessed_on"],
        risk_level=data["risk_level"],
        pre_trial_visit_on=data["pre_trial_visit_on"],
        witness_service_referred_on=data["witness_service_referred_on"],
    )


# --- the small forms on the person page -----------------------------------------------------


class SmallForm(PeopleForm):
    """One small form of the person page: its typed values are its service's keywords."""

    def given(self) -> dict[str, Any]:
        """The service's keywords: each field's typed value by its unprefixed name."""
        return {name.removeprefix(self.prefix): value for name, value in self.data.items()}


class ActionForm(SmallForm):
    prefix = "action-"
    description = _area("Action", name="action-description")
    owner = _text("Owner", name="action-owner")
    partner_name = _text("Partner's name", name="action-partner_name")
    due_on = _date("Due date", name="action-due_on")

    def owner_id(self) -> uuid.UUID | None:
        try:
            return uuid.UUID(self.owner)
        except ValueError:
            return None

    def owner_partner(self) -> str | None:
        """The kind of partner chosen as owner (``partner:police_oic``), or None for staff."""
        return self.owner.removeprefix(PARTNER) if self.owner.startswith(PARTNER) else None

    def given(self) -> dict[str, Any]:
        given = super().given()
        del given["owner"]
        return given | {"owner_id": self.owner_id(), "owner_partner": self.owner_partner()}


class DoneForm(PeopleForm):
    version = Version()


class ReferralForm(SmallForm):
    prefix = "referral-"
    service = _text("Support service", name="referral-service")
    referred_on = _date("Date of the referral", name="referral-referred_on")
    consent = _text("Consent", name="referral-consent")
    consent_on = _date("Date of consent", name="referral-consent_on")

    @property
    def consent_given(self) -> bool | None:
        return {"yes": True, "no": False}.get(self.consent)

    def given(self) -> dict[str, Any]:
        given = super().given()
        del given["consent"]
        return given | {"consent_given": self.consent_given}


class NrmForm(SmallForm):
    prefix = "nrm-"
    stage = _text("Stage", name="nrm-stage")
    outcome = _text("Outcome", name="nrm-outcome")
    decided_on = _date("Date", name="nrm-decided_on")


class ReferenceForm(SmallForm):
    prefix = "reference-"
    kind = _text("Kind of reference", name="reference-kind")
    value = _text("Reference number", name="reference-value")


class ContactAddForm(SmallForm):
    """A parent, guardian or representative (a small form of the person page)."""

    prefix = "linked-"
    relationship = _text("Relationship", name="linked-relationship")
    full_name = _text("Full name", name="linked-full_name")
    phone = _text("Telephone number", name="linked-phone")
    email = _text("Email address", name="linked-email")
    address = _area("Address", name="linked-address")
    nominated = Checkbox("Contact the person through them", name="linked-nominated")

    def given(self) -> dict[str, Any]:
        return {"new": NewContact(**super().given())}


# --- the person's part in the case and their enhanced rights --------------------------------


class RoleForm(_TheirPart, PeopleForm):
    role = Choice(
        "Their part in the case",
        list(ROLES),
        message="Select whether the person is a victim, a witness or both",
    )
    version = Version()


def _enhanced_fields() -> dict[str, Field[Any]]:
    words = vocabulary()
    labels = [(code, (c.label if (c := words.category(code)) else code)) for code in RECORDABLE]
    fields: dict[str, Field[Any]] = {
        "categories": MultiChoice(
            "Enhanced-rights categories",
            labels,
            message="Select the enhanced-rights categories that apply",
        )
    }
    for code, label in labels:
        fields[f"{code}_ground"] = _text(f"Why: {label}")
        fields[f"{code}_details"] = _area(f"Reason: {label}")
    fields["version"] = Version()
    return fields


EnhancedForm: type[PeopleForm] = type("EnhancedForm", (PeopleForm,), _enhanced_fields())


def enhanced_input(form: PeopleForm) -> dict[str, Reason]:
    """The categories ticked, each with its ground and reason as typed."""
    data = form.data
    return {
        code: Reason(data[f"{code}_ground"], data[f"{code}_details"]) for code in data["categories"]
    }
