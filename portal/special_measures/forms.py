"""The special measures forms, as ``portal.web.forms.Form`` specs (the edge).

The services check what each answer means and word the messages (``ValidationFailed``); these
forms only read the inputs, so three small fields of ``portal.web.fields`` keep the pages'
reading exactly: ``Typed`` (text as typed, stripped or not, never an error), ``Ticked``
(checkboxes, unknown values dropped, or kept for the service to refuse) and ``Revision`` (an
optional version: none when absent).
The dates are GOV.UK date inputs, optional (the services say when one is needed), as far as the
year 9000 (the services say "today or in the past").
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from portal.special_measures.eligibility import MEASURES, S16_CONDITIONS, S17_FACTORS
from portal.special_measures.service.assessing import OPT_OUTS, AssessmentCommand
from portal.special_measures.service.drafting import DATE_FIELDS, Draft
from portal.special_measures.service.lookup import TEXT_FIELDS
from portal.special_measures.service.reading import AssessmentDetails
from portal.web.dates import LEGACY_LATEST, DateField
from portal.web.fields import Revision, Ticked, Typed
from portal.web.forms import EditForm as VersionedForm
from portal.web.forms import Form, YesNo

UPDATED = "Someone else updated this application while you were working: check it again"


def _date(label: str) -> DateField[date | None]:
    return DateField(label, required=False, latest=LEGACY_LATEST)


class EditForm(VersionedForm):
    """A form editing a versioned application or assessment."""

    STALE = UPDATED


class AssessmentForm(EditForm):
    STALE_FIELD = "source"
    STALE = "Someone else saved this assessment while you were working: check it again"

    source = Typed("Where the assessment comes from", strip=False)
    hearing_on = _date("The hearing date")
    conditions = Ticked("Conditions (s16)", list(S16_CONDITIONS))
    s16_notes = Typed("The notes on s16")
    fear_or_distress = YesNo(
        "Fear or distress",
        message="Select whether fear or distress is likely to affect the evidence",
    )
    factors = Ticked("Factors (s17(2))", list(S17_FACTORS))
    s17_notes = Typed("The notes on fear or distress")
    views = Typed("The witness's views")
    opt_outs = Ticked("Opting out", OPT_OUTS)
    version = Revision()

    def command(self) -> AssessmentCommand:
        conditions, opt_outs = set(self.conditions), set(self.opt_outs)
        details = self.build(
            AssessmentDetails,
            mental_disorder="mental_disorder" in conditions,
            impairment="impairment" in conditions,
            physical="physical" in conditions,
            fear_or_distress=self.fear_or_distress is True,
            factors=tuple(self.factors),
            declines_automatic="declines_automatic" in opt_outs,
            opts_out_primary_rule="opts_out_primary_rule" in opt_outs,
        )
        return self.build(AssessmentCommand, details=details, expected_version=self.version)


class IdentifyForm(Form):
    measures = Ticked("Measures", list(MEASURES))
    request_now = YesNo(
        "Ask the prosecutor to apply now",
        message="Select whether to ask the prosecutor to apply now",
    )


class RequestForm(EditForm):
    version = Revision()


class DraftForm(EditForm):
    STALE_FIELD = "measures"

    measures = Ticked("Measures", list(MEASURES), keep_unknown=True)
    hearing_wanted = YesNo("Hearing", required=False, message="Select whether you want a hearing")
    live_link_location = Typed("Live link location")
    cross_examination_on = _date("The s28 recording date")
    intermediary_requested_on = _date("The date the intermediary was requested")
    intermediary_needed_by = _date("The date the intermediary is needed by")
    intermediary_matched_on = _date("The date an intermediary was matched")
    wis_reference = Typed("WIS reference")
    communication_aids = Typed("Aids to communication")
    grounds = Typed("Grounds")
    quality_reasons = Typed("Quality of evidence")
    witness_views = Typed("The witness's views")
    previous_applications = Typed("Previous applications")
    late_reason = Typed("The reason it is late")
    version = Revision()

    def draft(self) -> Draft:
        texts: Mapping[str, Any] = {name: self.data[name] for name in TEXT_FIELDS}
        dates: Mapping[str, Any] = {name: self.data[name] for name in DATE_FIELDS}
        return Draft(
            measures=tuple(self.measures),
            hearing_wanted=self.hearing_wanted,
            expected_version=self.version,
            **texts,
            **dates,
        )


class ServeForm(EditForm):
    STALE_FIELD = "served_on"

    served_on = _date("The date served")
    late_reason = Typed("The reason it is late")
    version = Revision()


class DecisionForm(EditForm):
    STALE_FIELD = "outcome"

    outcome = Typed("The court's decision", strip=False)
    granted = Ticked("Measures granted", list(MEASURES))
    decided_on = _date("The date of the decision")
    received_on = _date("The date received")
    court_notes = Typed("The notes")
    version = Revision()


class VariationForm(EditForm):
    STALE_FIELD = "action"

    action = Typed("Varied or discharged", strip=False)
    granted = Ticked("Measures now directed", list(MEASURES))
    decided_on = _date("The date of the court's decision")
    received_on = _date("The date received")
    court_notes = Typed("The notes")
    version = Revision()
