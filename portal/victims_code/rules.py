"""Versioned Victims' Code rules files (TOML) loaded into frozen dataclasses.

Every fact that differs between Codes, or that domain-rules.md marks UNCONFIRMED, lives in a rules
file or its ``[settings]`` table, never in code. See docs/victims-code-rules.md.
"""

from __future__ import annotations

import re
import tomllib
from collections import Counter
from dataclasses import dataclass, field, fields, replace
from datetime import date, datetime
from functools import lru_cache
from operator import attrgetter
from pathlib import Path
from typing import Any, Literal, TypeVar, cast

_START = attrgetter("in_force_from")
RULES_DIR = Path(__file__).resolve().parent.parent / "data" / "victims_code"

# The fixed list of case events that can trigger an entitlement (used by the case-events module).
# fmt: off
TRIGGER_EVENTS: tuple[str, ...] = (
    "first_contact", "crime_reported", "needs_assessment", "suspect_arrested",
    "suspect_interviewed", "suspect_released", "police_bail_changed", "no_investigation_decision",
    "charge_decision", "no_charge_decision", "out_of_court_disposal", "discontinuance",
    "substantial_alteration", "offer_no_evidence", "vcl_letter_sent", "vrr_request",
    "first_hearing", "hearing_listed", "not_guilty_plea", "trial_listing", "bail_decision",
    "required_to_give_evidence", "special_measures_decision", "verdict", "sentence", "appeal",
    "expenses_claim", "property_no_longer_needed", "complaint_received", "protective_order_made",
    "vps_made",
)
RESPONSIBLE_BODIES: tuple[str, ...] = (
    "police", "witness_care_unit", "cps", "vlu", "court", "probation", "report_fraud",
    "all_providers",
)
# Who owes a duty this portal does not track (``tracked = false``), as shown to officers.
OWNERS: dict[str, str] = {
    "police": "the police's duty",
    "court": "the court's duty",
    "report_fraud": "Report Fraud's duty",
}
# fmt: on
CONFIDENCE_TAGS = frozenset({"P", "S", "R", "UNCONFIRMED"})
OFFENCE_CATEGORIES = frozenset(
    {"fraud", "sexual_offence", "domestic_abuse", "violent", "modern_slavery", "cse", "bereaved"}
)
_T = TypeVar("_T")
ClockStart = Literal["event", "received"]
Kind = Literal["duty", "window"]
# How a duty is met: an officer records that the person was told ("told"), only by sending the
# Victim Communication and Liaison letter ("vcl_letter"), or by recording the work itself
# ("needs_assessment": the WCU needs assessment).
MetBy = Literal["told", "vcl_letter", "needs_assessment"]
MET_BY: tuple[str, ...] = ("told", "vcl_letter", "needs_assessment")


class RulesError(ValueError):
    """A rules file is missing, malformed or inconsistent. The message names file and field."""


@dataclass(frozen=True)
class Settings:
    """UNCONFIRMED or disputed values, overridable in a rules file's ``[settings]`` table.

    Defaults (and their sources) are documented in docs/victims-code-rules.md.
    """

    # Sources disagree: 5 WD, 7 calendar days, 10 WD (domain-rules.md 1.9, 10). Victim's window.
    vrr_request_window_working_days: int | None = 10
    vrr_request_longstop_months: int = 3
    # CPS VRR completion targets (Annex B) are UNCONFIRMED (domain-rules.md 1.9, 11): how long
    # local resolution and the independent review (Appeals and Review Unit) may take, and how
    # long the victim has to ask for the independent review after the local resolution letter.
    vrr_local_resolution_working_days: int | None = 20
    vrr_independent_request_working_days: int | None = 10
    vrr_independent_review_working_days: int | None = 30
    # 2013/15 Code: WCU refers within 20 WD; 2020 timing UNCONFIRMED (1.8).
    vcs_referral_working_days: int | None = 20
    # No specific figure found; follows the Right 8 "bail outcome etc." 5/1 row (1.4).
    special_measures_outcome_standard_working_days: int | None = 5
    special_measures_outcome_enhanced_working_days: int | None = 1
    # CrimPR 2020+ business-day limits from the NG plea, inferred; verify vs CrimPR 2025 (4.6).
    special_measures_application_business_days_magistrates: int = 20
    special_measures_application_business_days_crown: int = 10
    special_measures_representations_business_days: int = 10
    # 2015 Code needed explicit consent for these; 2020 position UNCONFIRMED (1.4, 1.5, 10).
    support_referral_explicit_consent_categories: tuple[str, ...] = (
        "sexual_offence",
        "domestic_abuse",
        "bereaved",
    )
    cps_complaint_max_age_months: int = 6
    # "Working day" is undefined in the Code; by default day 1 is the day after the trigger (8).
    trigger_day_counts: bool = False


@dataclass(frozen=True)
class Conditions:
    """When an entitlement applies.

    VCS logic: (violent or sexual offence AND custody >= min_custody_months) OR hospital order.
    """

    requires_crime_report: bool = True
    applies_to: Literal["victim_only", "witness_also"] = "victim_only"
    requires_violent_or_sexual_offence: bool = False
    min_custody_months: int | None = None
    hospital_order_qualifies: bool = False
    decision_ends_all_proceedings: bool = False
    decision_maker: Literal["police", "cps"] | None = None
    offence_categories: tuple[str, ...] = ()


@dataclass(frozen=True)
class Entitlement:
    code: str
    right: int
    title: str
    description: str
    trigger: str
    responsible_body: str
    standard_limit: int | None
    enhanced_limit: int | None
    clock_start: ClockStart
    opt_out: bool
    confidence: str
    source: str
    kind: Kind = "duty"
    note: str = ""
    conditions: Conditions = field(default_factory=Conditions)
    limit_settings: tuple[str, ...] = ()
    met_by: MetBy = "told"
    # False: another body's duty, shown as not tracked in this portal (``owner`` names it).
    tracked: bool = True
    owner: str = ""

    def limit(self, enhanced: bool) -> int | None:
        return self.enhanced_limit if enhanced else self.standard_limit


REASON_USES = ("late", "not_met")


@dataclass(frozen=True)
class GoodReason:
    """A reason an officer may give for a duty met late or not met (VPA 2024 s5: comply unless
    there is a good reason). ``needs_detail``: the free-text detail is required."""

    code: str
    label: str
    uses: tuple[str, ...]
    needs_detail: bool = False


@dataclass(frozen=True)
class RulesVersion:
    version: str
    title: str
    in_force_from: date
    in_force_until: date | None
    source: str
    settings: Settings
    entitlements: tuple[Entitlement, ...]
    path: Path | None = None
    good_reasons: tuple[GoodReason, ...] = ()

    def reasons_for(self, use: str) -> tuple[GoodReason, ...]:
        """The reasons offered when a duty is met late (``"late"``) or not met (``"not_met"``)."""
        return tuple(r for r in self.good_reasons if use in r.uses)

    def get(self, code: str) -> Entitlement:
        for item in self.entitlements:
            if item.code == code:
                return item
        raise RulesError(f"unknown entitlement code {code!r} in rules version {self.version}")

    def in_force_on(self, day: date) -> bool:
        return self.in_force_from <= day and (
            self.in_force_until is None or day < self.in_force_until
        )


class _Problems:
    def __init__(self, where: str) -> None:
        self.where = where
        self.items: list[str] = []

    def add(self, context: str, message: str) -> None:
        self.items.append(f"{self.where}: {context}: {message}")


def _get(
    raw: dict[str, Any], key: str, ctx: str, p: _Problems, kind: type = str, allowed: Any = None
) -> Any:
    """A required field of the given type (and, if ``allowed`` is given, one of those values)."""
    value = raw.get(key, "duty" if key == "kind" else None)
    choices = f"one of {sorted(allowed)}" if allowed is not None else kind.__name__
    if value is None:
        p.add(ctx, f"field {key!r} is required ({choices})")
    elif (
        (allowed is not None and value not in sorted(allowed))
        or not isinstance(value, kind)
        or (kind is not bool and isinstance(value, bool))
        or (kind is date and isinstance(value, datetime))
    ):
        p.add(ctx, f"field {key!r} must be {choices}, got {value!r}")
        return None
    return value


def _literals(ftype: str) -> list[str]:
    return re.findall(r"'(\w+)'", ftype)


def _check(ftype: str, value: Any) -> tuple[bool, Any]:
    """Validate one TOML value against a dataclass field's (string) annotation."""
    if ftype == "bool":
        return isinstance(value, bool), value
    if ftype.startswith("tuple"):
        ok = isinstance(value, list) and all(str(v) == v and v in OFFENCE_CATEGORIES for v in value)
        return ok, tuple(value) if ok else value
    if ftype.startswith("Literal"):
        return value in _literals(ftype), value
    if value == "none" and "None" in ftype:
        return True, None
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1, value


def _describe(ftype: str) -> str:
    if ftype == "bool":
        return "true or false"
    if ftype.startswith("tuple"):
        return f"a list drawn from {sorted(OFFENCE_CATEGORIES)}"
    if ftype.startswith("Literal"):
        return "one of " + str(_literals(ftype))
    return 'a whole number >= 1 or "none"' if "None" in ftype else "a whole number >= 1"


def _table(cls: type[_T], raw: Any, ctx: str, p: _Problems) -> _T:
    """Build a Settings or Conditions from a TOML table, reporting unknown or bad keys."""
    if raw is None:
        return cls()
    if not isinstance(raw, dict):
        p.add(ctx, "must be a table")
        return cls()
    known = {f.name: str(f.type) for f in fields(cast("Any", cls))}
    values: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in known:
            p.add(ctx, f"unknown field {key!r} (known: {', '.join(known)})")
            continue
        ok, checked = _check(known[key], value)
        if ok:
            values[key] = checked
        else:
            p.add(ctx, f"field {key!r} must be {_describe(known[key])}, got {value!r}")
    return cls(**values)


def _limit(raw: Any, key: str, ctx: str, settings: Settings, p: _Problems) -> int | None:
    if raw is None:
        p.add(ctx, f"field {key!r} is required")
        return None
    if isinstance(raw, str) and raw.startswith("setting:"):
        name = raw.removeprefix("setting:")
        types = {f.name: str(f.type) for f in fields(Settings)}
        if "None" not in types.get(name, ""):
            p.add(ctx, f"field {key!r} refers to unknown day-limit setting {name!r}")
            return None
        return cast("int | None", getattr(settings, name))
    ok, value = _check("int | None", raw)
    if not ok:
        p.add(ctx, f'field {key!r} must be a whole number >= 1, "none" or "setting:NAME"')
    return cast("int | None", value) if ok else None


_CHOICES: dict[str, Any] = {
    "trigger": TRIGGER_EVENTS,
    "responsible_body": RESPONSIBLE_BODIES,
    "clock_start": ("event", "received"),
    "confidence": CONFIDENCE_TAGS,
    "kind": ("duty", "window"),
}


def _parse_entitlement(raw: Any, index: int, settings: Settings, p: _Problems) -> Entitlement:
    code = raw.get("code") if isinstance(raw, dict) else None
    ctx = f"entitlement {code}" if isinstance(code, str) else f"entitlement #{index + 1}"
    if not isinstance(raw, dict):
        p.add(ctx, "must be a table")
        raw = {}
    known = {f.name for f in fields(Entitlement)} - {"limit_settings"}
    for key in raw.keys() - known:
        p.add(ctx, f"unknown field {key!r}")
    text: dict[str, Any] = {
        k: _get(raw, k, ctx, p) or "" for k in ("code", "title", "description", "source")
    }
    right = _get(raw, "right", ctx, p, int)
    if isinstance(right, int) and not 1 <= right <= 12:
        p.add(ctx, f"field 'right' must be between 1 and 12, got {right}")
    opt_out = _get(raw, "opt_out", ctx, p, bool)
    std_raw, enh_raw = raw.get("standard_limit"), raw.get("enhanced_limit")
    before = len(p.items)
    std = _limit(std_raw, "standard_limit", ctx, settings, p)
    enh = _limit(enh_raw, "enhanced_limit", ctx, settings, p)
    if len(p.items) > before:
        pass  # a limit is already reported as invalid
    elif enh is None and std is not None:
        p.add(ctx, "field 'enhanced_limit' is 'none' but standard_limit is fixed")
    elif enh is not None and std is not None and enh > std:
        p.add(ctx, f"field 'enhanced_limit' ({enh}) is later than standard_limit ({std})")
    met_by = raw.get("met_by", "told")
    if met_by not in MET_BY:
        p.add(ctx, f"field 'met_by' must be one of {list(MET_BY)}, got {met_by!r}")
        met_by = "told"
    tracked, owner = raw.get("tracked", True), raw.get("owner", "")
    if not isinstance(tracked, bool):
        p.add(ctx, f"field 'tracked' must be true or false, got {tracked!r}")
    elif not tracked and owner not in OWNERS:
        p.add(ctx, f"field 'owner' must be one of {list(OWNERS)} when tracked = false")
    elif tracked and owner:
        p.add(ctx, "field 'owner' is only for entitlements with tracked = false")
    linked = (v for v in (std_raw, enh_raw) if isinstance(v, str) and v.startswith("setting:"))
    return Entitlement(
        **text,
        **cast("dict[str, Any]", {k: _get(raw, k, ctx, p, str, a) for k, a in _CHOICES.items()}),
        right=right or 0,
        standard_limit=std,
        enhanced_limit=enh,
        opt_out=bool(opt_out),
        note=str(raw.get("note", "")),
        conditions=_table(Conditions, raw.get("conditions"), f"{ctx}: conditions", p),
        limit_settings=tuple(dict.fromkeys(v.removeprefix("setting:") for v in linked)),
        met_by=cast("MetBy", met_by),
        tracked=tracked is not False,
        owner=str(owner),
    )


def parse_rules(data: dict[str, Any], where: str = "<rules>") -> RulesVersion:
    """Validate parsed TOML; raise RulesError listing every problem found."""
    p = _Problems(where)
    meta = data.get("rules")
    if not isinstance(meta, dict):
        p.add("[rules]", "table is required (version, title, in_force_from, source)")
        meta = {}
    for key in data.keys() - {"rules", "settings", "entitlement", "good_reason"}:
        p.add("top level", f"unknown table {key!r}")
    for key in meta.keys() - {"version", "title", "in_force_from", "in_force_until", "source"}:
        p.add("[rules]", f"unknown field {key!r}")
    version, title, source = (_get(meta, k, "[rules]", p) for k in ("version", "title", "source"))
    start = _get(meta, "in_force_from", "[rules]", p, date)
    until = _get(meta, "in_force_until", "[rules]", p, date) if "in_force_until" in meta else None
    settings = _table(Settings, data.get("settings"), "settings", p)
    raw_items = data.get("entitlement")
    if not isinstance(raw_items, list) or not raw_items:
        p.add("[[entitlement]]", "at least one entitlement is required")
        raw_items = []
    items = tuple(_parse_entitlement(r, i, settings, p) for i, r in enumerate(raw_items))
    for code, count in Counter(item.code for item in items).items():
        if count > 1:
            p.add(f"entitlement {code}", "field 'code' is duplicated")
    reasons = _parse_reasons(data.get("good_reason", []), p)
    if p.items:
        raise RulesError("invalid rules file:\n" + "\n".join(p.items))
    return RulesVersion(version, title, start, until, source, settings, items, good_reasons=reasons)


def _parse_reasons(raw: Any, p: _Problems) -> tuple[GoodReason, ...]:
    if not isinstance(raw, list):
        p.add("[[good_reason]]", "must be an array of tables")
        return ()
    found: list[GoodReason] = []
    for index, item in enumerate(raw):
        ctx = f"good_reason #{index + 1}"
        if not isinstance(item, dict):
            p.add(ctx, "must be a table")
            continue
        for key in item.keys() - {"code", "label", "uses", "needs_detail"}:
            p.add(ctx, f"unknown field {key!r}")
        code, label = _get(item, "code", ctx, p), _get(item, "label", ctx, p)
        uses = item.get("uses")
        if not (isinstance(uses, list) and uses and all(u in REASON_USES for u in uses)):
            p.add(ctx, f"field 'uses' must be a list drawn from {list(REASON_USES)}")
            uses = []
        detail = item.get("needs_detail", False)
        if not isinstance(detail, bool):
            p.add(ctx, "field 'needs_detail' must be true or false")
            detail = False
        if code and label:
            found.append(GoodReason(code, label, tuple(uses), detail))
    for code, count in Counter(r.code for r in found).items():
        if count > 1:
            p.add(f"good_reason {code}", "field 'code' is duplicated")
    return tuple(found)


def load_rules(path: Path) -> RulesVersion:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise RulesError(f"{path}: cannot read rules file ({exc.strerror})") from exc
    except tomllib.TOMLDecodeError as exc:
        raise RulesError(f"{path.name}: not valid TOML: {exc}") from exc
    return replace(parse_rules(data, path.name), path=path)


@lru_cache(maxsize=8)
def load_all(directory: Path = RULES_DIR) -> tuple[RulesVersion, ...]:
    """Every ``*.toml`` rules file in ``directory``, oldest first (cached per directory)."""
    files = sorted(directory.glob("*.toml"))
    versions = tuple(sorted((load_rules(f) for f in files), key=_START))
    if not versions:
        raise RulesError(f"no rules files (*.toml) in {directory}")
    for kind, values in (
        ("version id", Counter(v.version for v in versions)),
        ("in_force_from date", Counter(v.in_force_from.isoformat() for v in versions)),
    ):
        for value, count in values.items():
            if count > 1:
                raise RulesError(f"{directory}: two rules files share the {kind} {value}")
    return versions


def rules_in_force(day: date, versions: tuple[RulesVersion, ...] | None = None) -> RulesVersion:
    """The newest rules version in force on ``day``."""
    candidates = [
        v for v in (versions if versions is not None else load_all()) if v.in_force_on(day)
    ]
    if not candidates:
        raise RulesError(f"no Victims' Code rules version is in force on {day.isoformat()}")
    return max(candidates, key=_START)
