"""Small steps shared by the case, Victims' Code, search, anonymity and compliance journeys.

Everything personal these journeys type is a *canary*: a made-up value with a random part, so a
later check can look for it where it must never appear (the server's log). ``CANARIES`` collects
every one typed in this test session; ``assert_not_logged`` scans the log for them.
"""

from __future__ import annotations

import re
import secrets
import string
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from playwright.sync_api import BrowserContext, Locator, Page, expect

from e2e.support.journeys import goto, sign_in, submit
from e2e.support.server import PortalServer

NewContext = Callable[..., BrowserContext]

# Every canary typed in this session (names, addresses, dates of birth as typed).
CANARIES: list[str] = []


def today() -> date:
    """Today in England and Wales (the portal's own "today")."""
    return datetime.now(ZoneInfo("Europe/London")).date()


def _letters(n: int) -> str:
    return "".join(secrets.choice(string.ascii_lowercase) for _ in range(n))


def canary_name(first: str) -> str:
    """A full name no real or demo person has, like 'Odile Quillfenxkrb'."""
    name = f"{first} Quill{_letters(7)}"
    CANARIES.append(name)
    return name


def canary_address() -> str:
    address = f"{secrets.randbelow(900) + 100} Lark{_letters(6)} Lane, Testbury"
    CANARIES.append(address)
    return address


def canary_dob(born: date) -> date:
    """Register a date of birth in the spellings a log line might use."""
    CANARIES.extend(dob_spellings(born))
    return born


def dob_spellings(born: date) -> list[str]:
    return [born.isoformat(), f"{born:%d/%m/%Y}", f"{born.day} {born:%B %Y}"]


def unique_urn() -> str:
    """A valid URN (2 digits, 2 letters, 7 digits... as the case form's hint says) no one has."""
    return (
        f"01{secrets.choice('BCEFGHJK')}{secrets.choice('LMNPRSTW')}{secrets.randbelow(10**7):07d}"
    )


def h1(page: Page) -> Locator:
    return page.get_by_role("heading", level=1)


def banner(page: Page) -> Locator:
    return page.locator(".govuk-notification-banner--success")


def path_of(page: Page) -> str:
    """The path of the page's URL, without its query or fragment."""
    return urlsplit(page.url).path


def fill_date(page: Page | Locator, name: str, day: date) -> None:
    page.locator(f"#{name}").fill(str(day.day))
    page.locator(f"#{name}-month").fill(str(day.month))
    page.locator(f"#{name}-year").fill(str(day.year))


def signed_in(
    new_context: NewContext, server: PortalServer, username: str, **context_args: object
) -> Page:
    page = new_context(**context_args).new_page()
    goto(page, "/login")
    sign_in(page, username, server.password)
    expect(page).to_have_url(re.compile(r"/home$"))
    return page


def open_case(
    page: Page,
    *,
    offence: str,
    offence_date: date,
    unit: str = "Complex Casework Unit",
    defendant: str = "Drew Defendant",
) -> tuple[str, str]:
    """Open a London North Crown Court case through the form. Returns its path and URN."""
    urn = unique_urn()
    goto(page, "/cases/new")
    page.get_by_label("Unique reference number (URN)").fill(urn)
    page.get_by_label("CPS Area").select_option(label="London North")
    page.get_by_label("Unit").select_option(label=unit)
    page.get_by_label("Court", exact=True).select_option(label="Crown Court")
    page.get_by_label("Court name").fill("Wood Green Crown Court")
    page.get_by_label(offence).check()
    fill_date(page, "offence_date", offence_date)
    page.get_by_label("Defendants").fill(defendant)
    submit(page, page.get_by_role("button", name="Open case"))
    expect(h1(page)).to_have_text(f"Case {urn}")
    expect(banner(page)).to_contain_text(f"Case {urn} opened")
    return path_of(page), urn


@dataclass(frozen=True)
class AddedPerson:
    path: str
    name: str
    reference: str


def add_person(
    page: Page,
    case_path: str,
    name: str,
    *,
    role: str = "Victim",
    born: date | None = None,
    address: str | None = None,
    fill_more: Callable[[Page], None] | None = None,
    on_the_form: bool = False,
) -> AddedPerson:
    """Add a victim or witness through the form; returns the person page's path and reference.
    ``on_the_form``: the page is already showing the form."""
    if not on_the_form:
        goto(page, f"{case_path}/people/new")
    page.get_by_label(role, exact=True).check()
    page.get_by_label("Full name", exact=True).fill(name)
    if born is not None:
        fill_date(page, "date_of_birth", born)
    if address is not None:
        page.get_by_label("Address (optional)", exact=True).fill(address)
    if fill_more is not None:
        fill_more(page)
    submit(page, page.get_by_role("button", name="Add person"))
    message = banner(page)
    expect(message).to_contain_text("Person added to the case")
    found = re.search(r"Their reference is (P-[0-9A-Z]+)", message.inner_text())
    assert found, message.inner_text()
    expect(h1(page)).to_have_text(name)
    return AddedPerson(path_of(page), name, found.group(1))


HEARING_KINDS = ("First hearing", "Hearing listed", "Trial listed")


@dataclass(frozen=True)
class Hearing:
    """A hearing's details as typed on the event form (``court`` None: keep the case's court;
    ``kind`` None: keep the type the form offers, or "Mention" when it offers none)."""

    on: date
    at: str = "10:00"
    court: str | None = None
    kind: str | None = None


def event_details(page: Page, kind: str) -> Locator:
    """Choose ``kind`` on the event form; the fields it reveals (GOV.UK conditional reveal)."""
    radio = page.get_by_role("group", name="What happened").get_by_label(kind, exact=True)
    radio.check()
    controls = radio.get_attribute("aria-controls")
    return page.locator(f"#{controls}" if controls else "#no-details-for-this-kind")


def fill_event(
    page: Page,
    kind: str,
    on: date,
    *,
    defendant: str | None = None,
    outcome: str | None = None,
    ends_all_proceedings: bool | None = None,
    hearing: Hearing | None = None,
) -> None:
    """Fill the event form the page shows (nothing submitted)."""
    details = event_details(page, kind)
    fill_date(page, "event_date", on)
    if defendant is not None:
        chooser = details.get_by_label("Defendant", exact=True)
        if chooser.count():
            chooser.select_option(label=defendant)
        else:  # the case's only defendant: the form names them and asks nothing
            expect(details).to_contain_text(f"This is about {defendant}")
    if outcome is not None:
        details.get_by_label(outcome, exact=True).check()
    if ends_all_proceedings is not None:
        details.get_by_label("Yes" if ends_all_proceedings else "No", exact=True).check()
    if hearing is None and kind in HEARING_KINDS:
        hearing = Hearing(on + timedelta(days=28))
    if hearing is not None:
        prefix = (details.get_attribute("id") or "").removeprefix("conditional-kind-")
        fill_date(page, f"{prefix}-hearing_date", hearing.on)
        details.get_by_label("Time of the hearing").fill(hearing.at)
        if hearing.court is not None:
            details.get_by_label("Court", exact=True).fill(hearing.court)
        chosen = details.get_by_label("Type of hearing")
        if hearing.kind is not None:
            chosen.select_option(label=hearing.kind)
        elif not chosen.input_value():
            chosen.select_option(label="Mention")


def record_event(
    page: Page,
    case_path: str,
    kind: str,
    on: date,
    *,
    defendant: str | None = None,
    outcome: str | None = None,
    ends_all_proceedings: bool | None = None,
    hearing: Hearing | None = None,
) -> None:
    """Record an event through the form (a hearing kind gets a hearing in four weeks unless
    ``hearing`` says otherwise)."""
    goto(page, f"{case_path}/events/new")
    fill_event(
        page,
        kind,
        on,
        defendant=defendant,
        outcome=outcome,
        ends_all_proceedings=ends_all_proceedings,
        hearing=hearing,
    )
    submit(page, page.get_by_role("button", name="Record event"))
    expect(banner(page)).to_contain_text(f"{kind} recorded")


def assert_not_logged(log_path: Path, canaries: Iterable[str]) -> None:
    """The server's log holds none of ``canaries`` (case-insensitive)."""
    text = log_path.read_text(encoding="utf-8", errors="replace").casefold()
    found = sorted({c for c in canaries if c and c.casefold() in text})
    assert not found, f"Personal data in the server log {log_path}: {found}"


def draft_anonymity_application(page: Page, person_path: str) -> str:
    """As a prosecutor: draft a witness anonymity order application, which seals the person's
    identity. Returns the application page's path."""
    goto(page, f"{person_path}/anonymity")
    expect(h1(page)).to_have_text("Anonymity and restrictions")
    page.get_by_label(re.compile(r"^Condition A")).fill(
        "The witness has been threatened by associates of the defendant."
    )
    page.get_by_label(re.compile(r"^Condition B")).fill(
        "The evidence can be fully tested in cross-examination without the witness's identity."
    )
    page.get_by_label(re.compile(r"^Condition C")).fill(
        "The witness's evidence is important and they will not testify without the order."
    )
    page.get_by_label(re.compile(r"^Relevant considerations")).fill(
        "Screens alone would not protect the witness: the defendant knows the area well."
    )
    page.get_by_label("A pseudonym is used").check()
    page.get_by_label("The witness is screened").check()
    submit(page, page.get_by_role("button", name="Draft the application"))
    expect(banner(page)).to_contain_text("The witness's identity is now sealed")
    expect(h1(page)).to_have_text("Application for a witness anonymity order")
    return path_of(page)


def summary_value(page: Page, key: str) -> Locator:
    """The value beside ``key`` (exactly) in a GOV.UK summary list."""
    row = page.locator(".govuk-summary-list__row").filter(
        has=page.locator(".govuk-summary-list__key").get_by_text(key, exact=True)
    )
    return row.locator(".govuk-summary-list__value")
