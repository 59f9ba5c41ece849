"""Reference data for cases: CPS Areas, units, courts, crime categories, event kinds.

Codes are stored in the database; labels live here so wording can change without a migration.
"""

from __future__ import annotations

import re

from portal.kit.enums import LabelledStrEnum

AREAS: dict[str, str] = {
    "cymru-wales": "Cymru-Wales",
    "east-midlands": "East Midlands",
    "east-of-england": "East of England",
    "london-north": "London North",
    "london-south": "London South",
    "mersey-cheshire": "Mersey-Cheshire",
    "north-east": "North East",
    "north-west": "North West",
    "south-east": "South East",
    "south-west": "South West",
    "thames-chiltern": "Thames and Chiltern",
    "wessex": "Wessex",
    "west-midlands": "West Midlands",
    "yorkshire-humberside": "Yorkshire and Humberside",
}

UNITS: dict[str, str] = {
    "rasso": "Rape and Serious Sexual Offences (RASSO)",
    "ccu": "Complex Casework Unit",
    "crown-court": "Crown Court unit",
    "magistrates": "Magistrates' Court unit",
    "seocid": "Serious Economic, Organised Crime and International Directorate",
}


class CourtType(LabelledStrEnum):
    MAGISTRATES = "magistrates", "Magistrates' court"
    CROWN = "crown", "Crown Court"
    YOUTH = "youth", "Youth court"


class CrimeCategory(LabelledStrEnum):
    """Serious and organised crime types from the CPS strategies (seeds/) plus the usual others."""

    TRAFFICKING = "trafficking", "Modern slavery and human trafficking"
    CSE = "cse", "Child sexual exploitation"
    SEXUAL = "sexual", "Other sexual offences"
    FRAUD = "fraud", "Fraud"
    DOMESTIC_ABUSE = "domestic_abuse", "Domestic abuse"
    DRUGS = "drugs", "Drug trafficking"
    FIREARMS = "firearms", "Firearms trafficking"
    IMMIGRATION = "immigration", "Organised immigration crime"
    CYBER = "cyber", "Cyber crime"
    MONEY_LAUNDERING = "money_laundering", "Money laundering"
    ACQUISITIVE = "acquisitive", "Organised acquisitive crime"
    VIOLENCE = "violence", "Violence against the person"
    OTHER = "other", "Other"


PLEAS = {"guilty": "Guilty", "not_guilty": "Not guilty"}
VERDICTS = {"guilty": "Guilty", "not_guilty": "Not guilty", "hung": "Jury unable to agree"}
CONVICTIONS = frozenset({"guilty"})  # the plea or verdict outcomes a sentence may follow


class EventKind(LabelledStrEnum):
    """Case events. Victims' Code obligations hang off these (portal.victims_code)."""

    CHARGE_DECISION = "charge_decision", "Decision to charge"
    NO_CHARGE_DECISION = "no_charge_decision", "Decision not to charge"
    FIRST_HEARING = "first_hearing", "First hearing"
    HEARING_LISTED = "hearing_listed", "Hearing listed"
    PLEA = "plea", "Plea"
    TRIAL_LISTING = "trial_listing", "Trial listed"
    VERDICT = "verdict", "Verdict"
    SENTENCE = "sentence", "Sentence"
    APPEAL = "appeal", "Appeal"
    DISCONTINUANCE = "discontinuance", "Discontinuance"
    OFFER_NO_EVIDENCE = "offer_no_evidence", "Offer of no evidence"
    SUBSTANTIAL_ALTERATION = "substantial_alteration", "Substantial alteration of charges"
    BAIL_DECISION = "bail_decision", "Bail decision by the court"

    @property
    def per_defendant(self) -> bool:
        """About one defendant: a plea, verdict or sentence concerns one defendant each."""
        return self in {EventKind.PLEA, EventKind.VERDICT, EventKind.SENTENCE}

    @property
    def is_hearing(self) -> bool:
        """Sets a hearing: its date, time, court and type are recorded (Right 8: the WCU tells
        victims and witnesses the time, date and place of any hearing)."""
        return self in {EventKind.FIRST_HEARING, EventKind.HEARING_LISTED, EventKind.TRIAL_LISTING}

    @property
    def may_end_proceedings(self) -> bool:
        """A decision that may end all proceedings in the case (and so close it)."""
        return self in {
            EventKind.NO_CHARGE_DECISION,
            EventKind.DISCONTINUANCE,
            EventKind.OFFER_NO_EVIDENCE,
        }

    @property
    def outcomes(self) -> dict[str, str]:
        """The outcomes this kind records (a plea's, a verdict's), by code; none for others."""
        if self is EventKind.PLEA:
            return PLEAS
        if self is EventKind.VERDICT:
            return VERDICTS
        return {}


# URN: police force code (2 digits), station or unit code (2 letters), case number (5 digits),
# year (2 digits), e.g. 01AB1234526. Stored upper-case without spaces or slashes.
URN_PATTERN = re.compile(r"^\d{2}[A-Z]{2}\d{7}$")


def normalise_urn(value: str) -> str:
    return re.sub(r"[\s/\-]", "", value).upper()


def valid_urn(value: str) -> bool:
    return bool(URN_PATTERN.fullmatch(normalise_urn(value)))
