"""What the anonymity pages' forms send, read and checked before any service call: the
restriction's dates, the application's texts and measures, and a step's date (GOV.UK date
inputs read as ``PartsDate``, texts as typed: the services check the rest). Errors and values
are the shapes ``templates/components/forms.html`` takes."""

from __future__ import annotations

from portal.web.dates import PartsDate
from portal.web.fields import Ticked, Typed
from portal.web.forms import Form


def _typed(name: str = "") -> Typed:
    return Typed(strip=False, name=name)


class RestrictionForm(Form):
    """A restriction: kind, start and end dates (GOV.UK date inputs), court reference, waived."""

    kind = _typed()
    starts_on = PartsDate("The start date", required=False)
    ends_on = PartsDate("The end date", required=False)
    court_reference = _typed()
    waived_answer = _typed("waived")

    @property
    def waived(self) -> bool:
        return self.waived_answer == "yes"


class ApplicationForm(Form):
    """An anonymity order application: the three conditions, considerations and measures."""

    condition_a = _typed()
    condition_b = _typed()
    condition_c = _typed()
    considerations = _typed()
    measures = Ticked("The measures")


class StepForm(Form):
    """A step on an application: its date (``on``) and the court's reference."""

    on = PartsDate("The date", required=False)
    court_reference = _typed()
