"""Reference data for cases: CPS Areas, units, courts, crime categories, event kinds.

Codes are stored in the database; labels live here so wording can change without a migration.
"""

from __future__ import annotations

import re
from enum import StrEnum

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


class CourtType(StrEnum):
    MAGISTRATES = "magistrates"
    CROWN = "crown"
    YOUTH = "youth"

    @property
    def label(self) -> str:
        return {
            "magistrates": "Magistrates' court",
            "crown": "Crown Court",
            "youth": "Youth court",
        }[self.value]


class CrimeCategory(StrEnum):
    """Serious and organised crime types from the CPS strategies (seeds/) plus the usual others."""

    TRAFFICKING = "trafficking"
    CSE = "cse"
    SEXUAL = "sexual"
    FRAUD = "fraud"
    DOMESTIC_ABUSE = "domestic_abuse"
    DRUGS = "drugs"
    FIREARMS = "firearms"
    IMMIGRATION = "immigration"
    CYBER = "cyber"
    MONEY_LAUNDERING = "money_laundering"
    ACQUISITIVE = "acquisitive"
    VIOLENCE = "violence"
    OTHER = "other"

    @property
    def label(self) -> str:
        return CATEGORY_LABELS[self]


CATEGORY_LABELS = {
    CrimeCategory.TRAFFICKING: "Modern slavery and human trafficking",
    CrimeCategory.CSE: "Child sexual exploitation",
    CrimeCategory.SEXUAL: "Other sexual offences",
    CrimeCategory.FRAUD: "Fraud",
    CrimeCategory.DOMESTIC_ABUSE: "Domestic abuse",
    CrimeCategory.DRUGS: "Drug trafficking",
    CrimeCategory.FIREARMS: "Firearms trafficking",
    CrimeCategory.IMMIGRATION: "Organised immigration crime",
    CrimeCategory.CYBER: "Cyber crime",
    CrimeCategory.MONEY_LAUNDERING: "Money laundering",
    CrimeCategory.ACQUISITIVE: "Organised acquisitive crime",
    CrimeCategory.VIOLENCE: "Violence against the person",
    CrimeCategory.OTHER: "Other",
}


class EventKind(StrEnum):
    """Case events. Victims' Code obligations hang off these (portal.victims_code)."""

    CHARGE_DECISION = "charge_decision"
    NO_CHARGE_DECISION = "no_charge_decision"
    FIRST_HEARING = "first_hearing"
    HEARING_LISTED = "hearing_listed"
    PLEA = "plea"
    TRIAL_LISTING = "trial_listing"
    VERDICT = "verdict"
    SENTENCE = "sentence"
    APPEAL = "appeal"
    DISCONTINUANCE = "discontinuance"
    OFFER_NO_EVIDENCE = "offer_no_evidence"
    SUBSTANTIAL_ALTERATION = "substantial_alteration"

    @property
    def label(self) -> str:
        return EVENT_LABELS[self]

    @property
    def per_defendant(self) -> bool:
        return self in {EventKind.PLEA, EventKind.VERDICT, EventKind.SENTENCE}


EVENT_LABELS = {
    EventKind.CHARGE_DECISION: "Decision to charge",
    EventKind.NO_CHARGE_DECISION: "Decision not to charge",
    EventKind.FIRST_HEARING: "First hearing",
    EventKind.HEARING_LISTED: "Hearing listed",
    EventKind.PLEA: "Plea",
    EventKind.TRIAL_LISTING: "Trial listed",
    EventKind.VERDICT: "Verdict",
    EventKind.SENTENCE: "Sentence",
    EventKind.APPEAL: "Appeal",
    EventKind.DISCONTINUANCE: "Discontinuance",
    EventKind.OFFER_NO_EVIDENCE: "Offer of no evidence",
    EventKind.SUBSTANTIAL_ALTERATION: "Substantial alteration of charges",
}

PLEAS = {"guilty": "Guilty", "not_guilty": "Not guilty"}
VERDICTS = {"guilty": "Guilty", "not_guilty": "Not guilty", "hung": "Jury unable to agree"}

# URN: police force code (2 digits), station or unit code (2 letters), case number (5 digits),
# year (2 digits), e.g. 01AB1234526. Stored upper-case without spaces or slashes.
URN_PATTERN = re.compile(r"^\d{2}[A-Z]{2}\d{7}$")


def normalise_urn(value: str) -> str:
    return re.sub(r"[\s/\-]", "", value).upper()


def valid_urn(value: str) -> bool:
    return bool(URN_PATTERN.fullmatch(normalise_urn(value)))
