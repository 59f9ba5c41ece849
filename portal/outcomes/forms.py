"""The outcomes forms (the edge): what an officer types, typed and checked."""

from __future__ import annotations

from datetime import date

from portal.outcomes.models import ConfiscationOrder, Enforcement, Finalised, LossKind, OrderStatus
from portal.outcomes.money import parse_pounds, pounds_plain
from portal.outcomes.rules import outcomes_rules
from portal.outcomes.service.ancillary import NewAncillary
from portal.outcomes.service.compensation import NewCompensation
from portal.outcomes.service.confiscation import Confiscation
from portal.web.fields import Field, Raw, Source, text_of
from portal.web.forms import Choice, DateField, Form, Text, TextArea, Version, YesNo


class Money(Field[int]):
    """An amount in pounds and pence ('1,234.56', '£12'), typed as whole pence. Empty and not
    required is 0."""

    def bind(self, source: Source, today: date) -> tuple[int, Raw, str | None]:
        typed = text_of(source, self.name).strip()
        raw: Raw = {self.name: typed}
        if not typed:
            return 0, raw, self.missing if self.required else None
        pence = parse_pounds(typed)
        if pence is None:
            return 0, raw, f"{self.label} must be an amount in pounds, like 1250.00"
        return pence, raw, None

    def raw(self, value: int) -> Raw:
        return {self.name: pounds_plain(value) if value else ""}


class LossForm(Form):
    kind = Choice("What was lost", LossKind, message="Select what was lost")
    amount = Money("Amount of the loss")
    description = Text("Description", max_length=300, required=False)
    proven = YesNo("Is the loss proven?", message="Select whether the loss is proven")


class CompensationForm(Form):
    status = Choice("Compensation order", OrderStatus, message="Select what happened")
    sought = Money("Amount sought")
    amount = Money("Amount ordered", required=False)
    decided_on = DateField("Date the court decided", required=False, when="today_or_past")
    reason = TextArea("Reason", max_length=1000, required=False)

    def command(self) -> NewCompensation:
        return self.build(NewCompensation, amount=self.amount or None)


class PaymentForm(Form):
    payment = Money("Amount received")
    received_on = DateField("Date received", when="today_or_past")


AMOUNTS = ("benefit", "available", "order", "compensation", "recovered")  # stored as <name>_pence


class ConfiscationForm(Form):
    restraint_on = DateField("Date of the restraint order", required=False, when="today_or_past")
    ordered_on = DateField("Date of the confiscation order", required=False, when="today_or_past")
    benefit = Money("Benefit figure", required=False)
    available = Money("Available amount", required=False)
    order = Money("Amount ordered", required=False)
    compensation = Money("Amount directed to compensation", required=False)
    recovered = Money("Amount recovered so far", required=False)
    enforcement = Choice("Enforcement", Enforcement, message="Select where enforcement stands")
    version = Version()

    @classmethod
    def of(cls, row: ConfiscationOrder | None) -> ConfiscationForm:
        """The form showing what is recorded (a new record: nothing yet)."""
        if row is None:
            return cls.initial(enforcement=Enforcement.NOT_YET_DUE, version=0)
        dates = {name: getattr(row, name) for name in ("restraint_on", "ordered_on")}
        amounts = {name: getattr(row, f"{name}_pence") for name in AMOUNTS}
        enforcement = Enforcement(row.enforcement)
        return cls.initial(**dates, **amounts, enforcement=enforcement, version=row.version)

    def command(self) -> Confiscation:
        return self.build(Confiscation, version=self.version or None)


def ancillary_choices() -> list[tuple[str, str]]:
    return [(k.code, k.title) for k in outcomes_rules().ancillary]


class AncillaryForm(Form):
    kind = Choice("Order", ancillary_choices(), message="Select the order")
    status = Choice("Outcome", OrderStatus, message="Select what happened")
    sought_on = DateField("Date sought", when="today_or_past")
    decided_on = DateField("Date the court decided", required=False, when="today_or_past")
    ends_on = DateField("Date the order ends", required=False)
    protects = Text("Victim it protects (their reference)", max_length=20, required=False)
    terms = TextArea("Terms", max_length=2000, required=False)

    def command(self) -> NewAncillary:
        return self.build(NewAncillary)


class FinaliseForm(Form):
    outcome = Choice("How was the prosecution finalised?", Finalised, message="Select the outcome")
    finalised_on = DateField("Date finalised", when="today_or_past")
