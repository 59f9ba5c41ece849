"""Who is eligible for special measures, and why. Pure functions, no I/O.

Youth Justice and Criminal Evidence Act 1999 (domain-rules.md 4.1):

* s16(1)(a): under 18 **at the time of the hearing**, which is when the court makes its s19(2)
  determination (not the offence date: that is the Victims' Code test). A witness who turns 18
  before the hearing is not eligible by age.
* s16(1)(b), (2): mental disorder; significant impairment of intelligence and social
  functioning; physical disability or disorder, where the quality of evidence is likely to be
  diminished.
* s17(1)-(3): fear or distress about testifying, with the statutory factors and the witness's
  views.
* s17(4): complainants of sexual offences and of Modern Slavery Act 2015 s1 or s2 offences are
  eligible automatically, unless they tell the court they do not wish to be.
* s17(4A): complainants where the accused's behaviour amounted to domestic abuse (in force
  "for specified purposes" from 19 May 2022: check the court is covered; UNCONFIRMED).
* s17(5)-(7), Sch 1A: witnesses in proceedings for a relevant (weapons) offence, unless they opt
  out.
* s21: the child witness "primary rule" (video-recorded evidence-in-chief and live link), which
  the child may ask to opt out of, subject to the court.

Eligibility is not a direction: every eligible witness still needs an application (except the
s21 primary rule). Each finding carries its explanation so pages can say *why*.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from portal.cases.offences import OffenceType
from portal.people.enhanced import age_on

# ss23-30: the measures, in statutory order.
MEASURES: dict[str, str] = {
    "s23": "Screening the witness from the accused (s23)",
    "s24": "Evidence by live link (s24)",
    "s25": "Evidence given in private (s25)",
    "s26": "Removal of wigs and gowns (s26)",
    "s27": "Video-recorded evidence-in-chief (s27)",
    "s28": "Video-recorded cross-examination and re-examination (s28)",
    "s29": "Examination through an intermediary (s29)",
    "s30": "Aids to communication (s30)",
}
# s18(1)(b): a witness eligible only under s17 may have ss23-28, not an intermediary or aids.
S16_ONLY_MEASURES = frozenset({"s29", "s30"})

# s17(2) and (3): what the court takes into account for fear or distress.
S17_FACTORS: dict[str, str] = {
    "offence": "The nature and alleged circumstances of the offence",
    "age": "The witness's age",
    "background": "The witness's social and cultural background and ethnic origins",
    "circumstances": "The witness's domestic and employment circumstances",
    "beliefs": "The witness's religious beliefs or political opinions",
    "behaviour": (
        "Behaviour towards the witness by the accused, their family or associates, or anyone "
        "else likely to be an accused or a witness"
    ),
}

S16_CONDITIONS: dict[str, str] = {
    "mental_disorder": "Mental disorder (Mental Health Act 1983)",
    "impairment": "Significant impairment of intelligence and social functioning",
    "physical": "Physical disability or physical disorder",
}


@dataclass(frozen=True, slots=True)
class Finding:
    """One eligibility ground: whether it applies (None: not known yet) and why."""

    code: str
    section: str
    label: str
    applies: bool | None
    automatic: bool
    explanation: str
    declined: bool = False

    @property
    def text(self) -> str:
        return f"{self.label} ({self.section})"


@dataclass(frozen=True, slots=True)
class Recorded:
    """What an officer recorded about the witness (sealed in the assessment row)."""

    mental_disorder: bool = False
    impairment: bool = False
    physical: bool = False
    fear_or_distress: bool = False
    factors: tuple[str, ...] = ()
    declines_automatic: bool = False
    opts_out_primary_rule: bool = False


@dataclass(frozen=True, slots=True)
class Eligibility:
    findings: tuple[Finding, ...]
    hearing_on: date
    hearing_assumed: bool

    @property
    def grounds(self) -> tuple[Finding, ...]:
        """The grounds that apply (the primary rule is a consequence, not a ground)."""
        return tuple(f for f in self.findings if f.applies and f.code != "s21_primary_rule")

    @property
    def eligible(self) -> bool:
        return bool(self.grounds)

    @property
    def automatic(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.grounds if f.automatic)

    @property
    def s16(self) -> bool:
        return any(f.code.startswith("s16") for f in self.grounds)

    @property
    def primary_rule(self) -> Finding | None:
        return next((f for f in self.findings if f.code == "s21_primary_rule"), None)

    @property
    def summary(self) -> str:
        if not self.grounds:
            return "Not eligible on what is recorded"
        kinds = []
        if self.s16:
            kinds.append("vulnerable (s16)")
        if any(f.code.startswith("s17") for f in self.grounds):
            kinds.append("intimidated (s17)")
        text = " and ".join(kinds).capitalize()
        return text + (", automatic" if self.automatic else "")


def _long(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def eighteenth_birthday(born: date) -> date:
    try:
        return born.replace(year=born.year + 18)
    except ValueError:  # born on 29 February: 18 on 1 March
        return date(born.year + 18, 3, 1)


def s16_age(
    born: date | None, hearing_on: date, *, assumed: bool = False, offence_on: date | None = None
) -> Finding:
    """s16(1)(a): under 18 at the time of the hearing (when the court decides), whatever the
    witness's age at the offence."""
    when = f"the hearing on {_long(hearing_on)}"
    if assumed:
        when = f"today ({_long(hearing_on)}; no hearing date recorded)"
    label = "Under 18 at the time of the hearing"
    if born is None:
        return Finding(
            "s16_age",
            "s16(1)(a)",
            label,
            None,
            True,
            "Date of birth not recorded: age eligibility cannot be worked out.",
        )
    adult_on = eighteenth_birthday(born)
    age = age_on(born, hearing_on)
    if age < 18:
        return Finding(
            "s16_age",
            "s16(1)(a)",
            label,
            True,
            True,
            f"Aged {age} on {when}; turns 18 on {_long(adult_on)}, when eligibility by age ends.",
        )
    if offence_on is not None and age_on(born, offence_on) < 18:
        why = (
            f"Under 18 at the offence but turns 18 on {_long(adult_on)}, before {when}: not "
            "eligible by age. The test is age at the hearing, not at the offence (the Victims' "
            "Code uses the offence date)."
        )
    else:
        why = f"Aged {age} on {when}: not eligible by age."
    return Finding("s16_age", "s16(1)(a)", label, False, True, why + " Consider s16(1)(b) or s17.")


def s16_incapacity(recorded: Recorded) -> list[Finding]:
    """s16(1)(b), (2): each recorded condition, for the court to be satisfied of."""
    found = []
    for code, label in S16_CONDITIONS.items():
        if getattr(recorded, code):
            found.append(
                Finding(
                    f"s16_{code}",
                    "s16(1)(b), (2)",
                    label,
                    True,
                    False,
                    "Recorded by an officer: the quality of the witness's evidence (completeness, "
                    "coherence and accuracy, s16(5)) is likely to be diminished. The court must "
                    "consider the witness's views (s16(4)).",
                )
            )
    return found


def s17_fear(recorded: Recorded) -> Finding | None:
    """s17(1)-(3): fear or distress about testifying, with the statutory factors."""
    if not recorded.fear_or_distress:
        return None
    factors = [S17_FACTORS[f] for f in recorded.factors if f in S17_FACTORS]
    factor_text = (
        "Factors recorded: " + "; ".join(f.lower() for f in factors) + "."
        if factors
        else "No s17(2) factors recorded yet."
    )
    return Finding(
        "s17_fear",
        "s17(1)-(3)",
        "Fear or distress about testifying",
        True,
        False,
        "Recorded by an officer: the quality of evidence is likely to be diminished by fear or "
        f"distress about testifying. {factor_text} The court must consider the witness's views "
        "(s17(3)).",
    )


def _automatic(
    code: str, section: str, label: str, reason: str, *, declined: bool, opt_out_words: str
) -> Finding:
    if declined:
        return Finding(
            code,
            section,
            label,
            False,
            True,
            f"{reason} The witness has said they do not wish to be eligible on this ground "
            f"({opt_out_words}); the court may still consider s16 or s17(1).",
            declined=True,
        )
    return Finding(
        code,
        section,
        label,
        True,
        True,
        f"{reason} Eligible automatically unless the witness tells the court they do not wish "
        "to be. An application is still needed.",
    )


def s17_4_sexual(
    offences: Sequence[OffenceType], *, complainant: bool, declined: bool = False
) -> Finding | None:
    sexual = [o for o in offences if o.sexual]
    if not (complainant and sexual):
        return None
    return _automatic(
        "s17_4_sexual",
        "s17(4)",
        "Complainant of a sexual offence",
        f"Complainant in a case that includes {sexual[0].title.lower()}.",
        declined=declined,
        opt_out_words="s17(4)",
    )


def s17_4_modern_slavery(
    offences: Sequence[OffenceType], *, complainant: bool, declined: bool = False
) -> Finding | None:
    slavery = [o for o in offences if o.msa in (1, 2)]
    if not (complainant and slavery):
        return None
    return _automatic(
        "s17_4_msa",
        "s17(4)",
        "Complainant of a Modern Slavery Act 2015 s1 or s2 offence",
        f"Complainant in a case that includes {slavery[0].title.lower()} "
        f"(Modern Slavery Act 2015 s{slavery[0].msa}).",
        declined=declined,
        opt_out_words="s17(4)",
    )


def s17_4a_domestic_abuse(
    offences: Sequence[OffenceType], *, complainant: bool, declined: bool = False
) -> Finding | None:
    abuse = [o for o in offences if o.domestic_abuse]
    if not (complainant and abuse):
        return None
    return _automatic(
        "s17_4a_domestic_abuse",
        "s17(4A)",
        "Complainant of an offence amounting to domestic abuse",
        f"Complainant in a case that includes {abuse[0].title.lower()} (Domestic Abuse Act "
        "2021; in force for specified purposes from 19 May 2022: check the court is covered).",
        declined=declined,
        opt_out_words="s17(4A)",
    )


def s17_5_weapons(offences: Sequence[OffenceType], *, declined: bool = False) -> Finding | None:
    """s17(5)-(7), Sch 1A: any witness (not only the complainant) in a relevant offence."""
    weapons = [o for o in offences if o.weapons]
    if not weapons:
        return None
    return _automatic(
        "s17_5_weapons",
        "s17(5)-(7), Sch 1A",
        "Witness in proceedings for a relevant weapons offence",
        f"Witness in proceedings for {weapons[0].title.lower()}.",
        declined=declined,
        opt_out_words="s17(5)",
    )


def s21_primary_rule(child: Finding, *, opts_out: bool = False) -> Finding | None:
    """s21: a child witness's video-recorded interview is evidence-in-chief, the rest by live
    link, unless the child opts out (s21(4A)-(4C)) and the court agrees."""
    if not child.applies:
        return None
    if opts_out:
        return Finding(
            "s21_primary_rule",
            "s21(4A)-(4C)",
            "Child witness primary rule",
            False,
            True,
            "The child has asked to opt out of the primary rule (video-recorded evidence-in-chief "
            "and live link). The court decides whether the opt-out is allowed; tell the court "
            "the child's views (CrimPR r18.9).",
            declined=True,
        )
    return Finding(
        "s21_primary_rule",
        "s21",
        "Child witness primary rule",
        True,
        True,
        "The court must admit a video-recorded interview as evidence-in-chief and direct that "
        "further evidence is given by live link, unless the child opts out. Tell the court the "
        "witness is a child as soon as reasonably practicable (CrimPR r18.9).",
    )


def assess(
    *,
    offences: Iterable[OffenceType],
    complainant: bool,
    born: date | None,
    hearing_on: date | None,
    today: date,
    offence_on: date | None = None,
    recorded: Recorded | None = None,
) -> Eligibility:
    """Every ground, automatic ones first, with the primary rule for a child witness."""
    recorded = recorded or Recorded()
    offence_list = list(offences)
    on = hearing_on or today
    child = s16_age(born, on, assumed=hearing_on is None, offence_on=offence_on)
    findings: list[Finding] = [child]
    findings.extend(s16_incapacity(recorded))
    declined = recorded.declines_automatic
    for automatic in (
        s17_4_sexual(offence_list, complainant=complainant, declined=declined),
        s17_4_modern_slavery(offence_list, complainant=complainant, declined=declined),
        s17_4a_domestic_abuse(offence_list, complainant=complainant, declined=declined),
        s17_5_weapons(offence_list, declined=declined),
    ):
        if automatic is not None:
            findings.append(automatic)
    fear = s17_fear(recorded)
    if fear is not None:
        findings.append(fear)
    primary = s21_primary_rule(child, opts_out=recorded.opts_out_primary_rule)
    if primary is not None:
        findings.append(primary)
    return Eligibility(tuple(findings), on, hearing_on is None)


def measure_warnings(measures: Iterable[str], eligibility: Eligibility) -> list[str]:
    """Measures the recorded eligibility does not support (s18(1)): shown, never blocking."""
    warnings = []
    chosen = set(measures)
    if chosen & S16_ONLY_MEASURES and not eligibility.s16 and eligibility.eligible:
        warnings.append(
            "An intermediary (s29) and aids to communication (s30) are available only to "
            "witnesses eligible under s16 (s18(1)); none is recorded."
        )
    if chosen and not eligibility.eligible:
        warnings.append("No eligibility ground is recorded for this witness yet.")
    return warnings
