"""``portal rules``: due dates, working days and the entitlements of a Victims' Code version."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import Any, NoReturn

import rich_click as click
from rich.console import Console
from rich.table import Table

from portal.clock import to_london, utc_now
from portal.victims_code.calendar import CRIMPR_BUSINESS_DAYS, ENGLAND_AND_WALES
from portal.victims_code.deadlines import due_date
from portal.victims_code.rules import RulesError, RulesVersion, load_rules, rules_in_force

Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]
_RULES_FILE_HELP = "Use this rules file (TOML) instead of the version in force on the date."


def _date_option(flag: str, dest: str, help: str, *, required: bool = False) -> Decorator:
    """A ``--flag YYYY-MM-DD`` option, taken as text (``_date`` reads it)."""
    return click.option(
        flag, dest, required=required, default=None, metavar="YYYY-MM-DD", help=help
    )


def _rules_file_option() -> Decorator:
    return click.option("--rules-file", default=None, metavar="PATH", help=_RULES_FILE_HELP)


def _fail(message: str) -> NoReturn:
    click.echo("Error: " + " | ".join(line for line in message.splitlines() if line), err=True)
    raise SystemExit(2)


def _date(text: str, what: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        _fail(f"{what} must be a date written YYYY-MM-DD, got {text!r}")


def _version(rules_file: str | None, on: date) -> RulesVersion:
    try:
        return load_rules(Path(rules_file)) if rules_file else rules_in_force(on)
    except RulesError as exc:
        _fail(str(exc))


def _limit(value: int | None) -> str:
    return "none" if value is None else f"{value} WD"


@click.group(name="rules", help="Victims' Code rules: due dates, working days, entitlements.")
def rules() -> None:
    pass


@rules.command(help="Print when an entitlement is due (ISO date, or 'none'), then why.")
@click.argument("code")
@_date_option(
    "--trigger",
    "trigger_text",
    "Date of the trigger event (e.g. the decision or the hearing).",
    required=True,
)
@_date_option("--received", "received_text", "Date the responsible body received the information.")
@click.option("--enhanced", is_flag=True, help="The victim is entitled to enhanced rights.")
@_rules_file_option()
def due(
    code: str,
    trigger_text: str,
    received_text: str | None,
    enhanced: bool,
    rules_file: str | None,
) -> None:
    trigger = _date(trigger_text, "--trigger")
    received = _date(received_text, "--received") if received_text is not None else None
    version = _version(rules_file, trigger)
    try:
        entitlement = version.get(code.strip().upper())
        result = due_date(
            entitlement,
            trigger=trigger,
            received=received,
            enhanced=enhanced,
            calendar=ENGLAND_AND_WALES,
            trigger_day_counts=version.settings.trigger_day_counts,
        )
    except RulesError as exc:
        _fail(f"{exc} (see 'portal rules list')")
    except ValueError as exc:
        _fail(str(exc))
    click.echo(result.due.isoformat() if result.due else "none")
    click.echo(result.explain())


@rules.command(help="Print the date N working days after START (day 1 is the next working day).")
@click.argument("start")
@click.argument("n")
@click.option("--business-days", is_flag=True, help="Count CrimPR business days instead.")
def workdays(start: str, n: str, business_days: bool) -> None:
    first = _date(start, "START")
    if not n.isdigit():
        _fail(f"N must be a whole number of days (0 or more), got {n!r}")
    calendar = CRIMPR_BUSINESS_DAYS if business_days else ENGLAND_AND_WALES
    result = calendar.add_working_days(first, int(n))
    click.echo(result.isoformat())
    skipped = calendar.non_working_days(first, result)
    unit = calendar.kind_label + ("" if int(n) == 1 else "s")
    words = "; ".join(
        f"{d.day:%a} {d.day.day} {d.day:%b %Y}: {'weekend' if d.kind == 'weekend' else d.name}"
        for d in skipped
    )
    click.echo(f"{n} {unit} after {first:%a} {first.day} {first:%b %Y}; skipped {words or 'none'}")


def _after(start: date, days: int | None) -> str:
    return ENGLAND_AND_WALES.add_working_days(start, days).isoformat() if days else "no limit"


@rules.command(help="Print the Victims' Right to Review windows and timescales (rules data).")
@_date_option(
    "--sent", "sent_text", "The decision letter's date: print the dates the windows end on too."
)
@_rules_file_option()
def review(sent_text: str | None, rules_file: str | None) -> None:
    sent = _date(sent_text, "--sent") if sent_text else None
    version = _version(rules_file, sent or to_london(utc_now()).date())
    s = version.settings
    rows = (
        ("request window", s.vrr_request_window_working_days, "the decision letter"),
        ("local resolution", s.vrr_local_resolution_working_days, "the request"),
        (
            "independent review request window",
            s.vrr_independent_request_working_days,
            "the local resolution letter",
        ),
        ("independent review", s.vrr_independent_review_working_days, "the victim's request"),
    )
    click.echo(f"Victims' Right to Review, rules version {version.version}")
    for name, days, start in rows:
        click.echo(f"{name}: {_limit(days)} from {start}")
    click.echo(f"long-stop: {s.vrr_request_longstop_months} months from the decision letter")
    if sent is not None:
        click.echo(
            f"letter sent {sent.isoformat()}: ask by "
            f"{_after(sent, s.vrr_request_window_working_days)}"
        )


def _as_json(version: RulesVersion) -> dict[str, Any]:
    return {
        "version": version.version,
        "title": version.title,
        "in_force_from": version.in_force_from.isoformat(),
        "in_force_until": version.in_force_until.isoformat() if version.in_force_until else None,
        "settings": asdict(version.settings),
        "entitlements": [asdict(e) for e in version.entitlements],
    }


@rules.command(name="list", help="List every entitlement with its time limits.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@_date_option(
    "--on", "on_text", "Use the rules in force on this date (default: today, London time)."
)
@_rules_file_option()
def list_entitlements(as_json: bool, on_text: str | None, rules_file: str | None) -> None:
    on = _date(on_text, "--on") if on_text else to_london(utc_now()).date()
    version = _version(rules_file, on)
    if as_json:
        click.echo(json.dumps(_as_json(version), indent=2))
        return
    table = Table(title=f"{version.title} (version {version.version})")
    table.add_column("Code", no_wrap=True)
    table.add_column("Right", justify="right")
    for name in ("Trigger", "Responsible", "Standard", "Enhanced", "Clock", "Opt-out", "Tag"):
        table.add_column(name)
    for item in version.entitlements:
        table.add_row(
            item.code,
            str(item.right),
            item.trigger,
            item.responsible_body if item.tracked else f"{item.responsible_body} (not tracked)",
            _limit(item.standard_limit),
            _limit(item.enhanced_limit),
            "from receipt" if item.clock_start == "received" else "from event",
            "yes" if item.opt_out else "no",
            item.confidence,
        )
    console = Console()
    (console if console.is_terminal else Console(width=160)).print(table)
