"""Declarative forms (portal.web.forms): typed values, GOV.UK errors in page order, what was typed
kept, service errors merged, and hostile input turned into clean field errors."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from starlette.datastructures import FormData

from portal.kit.enums import LabelledStrEnum
from portal.kit.errors import GuardRefused, NotFound, NotPermitted, StaleEdit, ValidationFailed
from portal.web.dates import IsoDate, PartsDate, iso_date
from portal.web.fields import Revision, Ticked, Ticks, Typed
from portal.web.forms import (
    Checkbox,
    Choice,
    DateField,
    EditForm,
    FieldErrors,
    Form,
    Integer,
    MultiChoice,
    ServiceRefusals,
    Text,
    TextArea,
    Version,
    YesNo,
    parse_date_parts,
    path_id,
    render_form,
)
from portal.web.params import BadParameter

TODAY = date(2026, 3, 10)


class Kind(LabelledStrEnum):
    ORDER = "order", "Reporting restriction order"
    LIFELONG = "lifelong", "Lifelong anonymity"


class Example(Form):
    name = Text("Full name", max_length=20)
    notes = TextArea("Notes", max_length=50, required=False)
    count = Integer("Number of witnesses", minimum=1, maximum=500)
    kind = Choice("Restriction", Kind)
    channel = Choice("Channel", [("post", "Post"), ("email", "Email")], required=False)
    measures = MultiChoice("Measures", Kind, required=True)
    sure = YesNo("Has the witness agreed?", message="Select yes if the witness agreed")
    born = DateField("Date of birth", when="past")
    ends = DateField("End date", required=False, when="today_or_future")
    declared = Checkbox("That the details are correct", required=True)
    version = Version()


GOOD: dict[str, Any] = {
    "name": "  Ada   Lovelace ",
    "notes": "line one\r\nline two\tindented",
    "count": "12",
    "kind": "lifelong",
    "channel": "",
    "measures": ["lifelong", "order", "lifelong"],
    "sure": "yes",
    "born-day": "10",
    "born-month": "12",
    "born-year": "1995",
    "ends-day": "",
    "ends-month": "",
    "ends-year": "",
    "declared": "yes",
    "version": "7",
}


def bind(**changes: Any) -> Example:
    data = {**GOOD, **changes}
    return Example({k: v for k, v in data.items() if v is not None}, today=TODAY)


def form_data(data: dict[str, Any]) -> FormData:
    pairs: list[tuple[str, str]] = []
    for key, value in data.items():
        for item in value if isinstance(value, list) else [value]:
            pairs.append((key, item))
    return FormData(pairs)


def test_a_good_submission_binds_typed_values() -> None:
    form = Example(form_data(GOOD), today=TODAY)
    assert form.valid, dict(form.errors.items())
    assert form.name == "Ada   Lovelace"
    assert form.notes == "line one\nline two\tindented"
    assert form.count == 12
    assert form.kind is Kind.LIFELONG
    assert form.channel == ""
    assert form.measures == [Kind.ORDER, Kind.LIFELONG]  # option order, repeats dropped
    assert form.sure is True
    assert form.born == date(1995, 12, 10)
    assert form.ends is None
    assert form.declared is True
    assert form.version == 7
    assert form.status_code == 200


def test_everything_missing_gives_one_error_per_field_in_page_order() -> None:
    form = Example({}, today=TODAY)
    assert not form.valid
    assert list(form.errors.items()) == [
        ("name", "Enter full name"),
        ("count", "Enter number of witnesses"),
        ("kind", "Select restriction"),
        ("measures", "Select measures"),
        ("sure", "Select yes if the witness agreed"),
        ("born", "Enter date of birth"),
        ("declared", "Confirm that the details are correct"),
    ]
    assert form.status_code == 400
    assert form.version == -1


def test_what_was_typed_is_kept_for_the_macros() -> None:
    form = bind(count="twelve", **{"born-day": "31", "born-month": "2", "born-year": "2001"})
    assert form.values["count"] == "twelve"
    assert (form.values["born-day"], form.values["born-month"], form.values["born-year"]) == (
        "31",
        "2",
        "2001",
    )
    assert form.values["measures"] == ["order", "lifelong"]
    assert form.values["declared"] == ["yes"]
    assert form.errors.get("born") == "Date of birth must be a real date"
    context = form.context()
    assert context["errors"] is form.errors and context["values"] is form.values


def test_an_unsubmitted_form_has_no_errors_and_shows_stored_values() -> None:
    blank = Example(today=TODAY)
    assert not blank.errors and not blank.valid and blank.status_code == 200
    stored = Example.initial(
        today=TODAY,
        name="Ada",
        born=date(1995, 12, 10),
        kind=Kind.ORDER,
        measures=[Kind.ORDER],
        sure=False,
        declared=True,
        count=3,
    )
    assert stored.values["born-day"] == "10" and stored.values["born-year"] == "1995"
    assert stored.values["kind"] == "order" and stored.values["measures"] == ["order"]
    assert stored.values["sure"] == "no" and stored.values["declared"] == ["yes"]
    assert stored.values["count"] == "3" and stored.name == "Ada"
    assert stored.values["ends-day"] == ""


HOSTILE_TEXT = ["Ada\x00Lovelace", "Ada\x1b[31m", "Ada\ud800", "\x7f"]


@pytest.mark.parametrize("text", HOSTILE_TEXT)
def test_control_characters_and_nul_bytes_are_refused_not_stored(text: str) -> None:
    form = bind(name=text, notes=text)
    assert form.errors.get("name") == "Full name must not contain special characters"
    assert form.errors.get("notes") == "Notes must not contain special characters"
    assert form.values["name"] == ""


def test_text_limits_and_line_endings() -> None:
    assert bind(name="x" * 21).errors.get("name") == "Full name must be 20 characters or fewer"
    assert bind(name="x" * 20).valid
    assert bind(name="   ").errors.get("name") == "Enter full name"
    single = bind(name="Ada\r\nLovelace")  # only a crafted request sends this
    assert single.errors.get("name") == "Full name must not contain special characters"
    assert bind(name="Ada\tLovelace").name == "Ada Lovelace"
    assert bind(notes="a\rb").notes == "a\nb"
    assert bind(notes="x" * 51).errors.get("notes") == "Notes must be 50 characters or fewer"


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("twelve", "Number of witnesses must be a whole number"),
        ("12.5", "Number of witnesses must be a whole number"),
        ("-3", "Number of witnesses must be a whole number"),
        ("١٢", "Number of witnesses must be a whole number"),
        ("１２", "Number of witnesses must be a whole number"),
        ("²", "Number of witnesses must be a whole number"),
        ("99999999999999999999", "Number of witnesses must be a whole number"),
        ("0", "Number of witnesses must be between 1 and 500"),
        ("501", "Number of witnesses must be between 1 and 500"),
        ("1 2", "Number of witnesses must be a whole number"),
    ],
)
def test_integers_are_ascii_digits_within_bounds(typed: str, message: str) -> None:
    form = bind(count=typed)
    assert form.errors.get("count") == message
    assert form.count is None


def test_negative_integers_where_the_bounds_allow_them() -> None:
    class Offset(Form):
        days = Integer("Offset in days", minimum=-10, maximum=10, required=False)

    assert Offset({"days": "-3"}).days == -3
    assert Offset({"days": ""}).valid and Offset({"days": ""}).days is None
    assert Offset({"days": "--3"}).errors.get("days") == "Offset in days must be a whole number"


@pytest.mark.parametrize(
    ("day", "month", "year", "message"),
    [
        ("1", "1", "0001", "Date of birth must be on or after 1 January 1900"),
        ("31", "2", "2001", "Date of birth must be a real date"),
        ("1", "13", "2001", "Date of birth must be a real date"),
        ("1", "1", "01", "Date of birth must be a real date"),
        ("١", "1", "2001", "Date of birth must be a real date"),
        ("99999999999999999999", "1", "2001", "Date of birth must be a real date"),
        ("1", "", "", "Date of birth must include a month and year"),
        ("", "5", "", "Date of birth must include a day and year"),
        ("10", "3", "2026", "Date of birth must be in the past"),
        ("1", "1", "2300", "Date of birth must be on or before 31 December 2199"),
        ("x\x00", "1", "2001", "Date of birth must be a real date"),
    ],
)
def test_bad_dates_are_clean_field_errors(day: str, month: str, year: str, message: str) -> None:
    form = bind(**{"born-day": day, "born-month": month, "born-year": year})
    assert form.errors.get("born") == message
    assert form.born is None


def test_date_rules_against_today() -> None:
    def ends(day: int) -> Example:
        return bind(**{"ends-day": str(day), "ends-month": "3", "ends-year": "2026"})

    assert ends(10).ends == TODAY
    assert ends(9).errors.get("ends") == "End date must be today or in the future"

    class Dates(Form):
        seen = DateField("Date seen", when="today_or_past")
        due = DateField("Due date", when="future")

    parts = {"seen-day": "11", "seen-month": "3", "seen-year": "2026"}
    parts |= {"due-day": "10", "due-month": "3", "due-year": "2026"}
    form = Dates(parts, today=TODAY)
    assert list(form.errors.items()) == [
        ("seen", "Date seen must be today or in the past"),
        ("due", "Due date must be in the future"),
    ]


def test_choices_refuse_values_that_were_not_offered() -> None:
    assert bind(kind="sealed").errors.get("kind") == "Select restriction"
    assert bind(channel="pigeon").errors.get("channel") == "Select channel"
    assert bind(channel="email").channel == "email"
    form = bind(measures=["order", "<script>"])
    assert form.errors.get("measures") == "Select measures"
    assert form.values["measures"] == ["order"]
    assert Example.kind.options == [  # type: ignore[attr-defined]
        ("order", "Reporting restriction order"),
        ("lifelong", "Lifelong anonymity"),
    ]
    assert bind().field("channel").options == [("post", "Post"), ("email", "Email")]  # type: ignore[attr-defined]


def test_yes_no_and_checkbox() -> None:
    assert bind(sure="no").sure is False
    assert bind(sure="maybe").errors.get("sure") == "Select yes if the witness agreed"
    assert bind(declared=None).errors.get("declared") == "Confirm that the details are correct"
    assert bind(declared="on").declared is False

    class Optional(Form):
        agreed = YesNo("Agreed", required=False)

    assert Optional({}).valid and Optional({}).agreed is None
    assert Optional({"agreed": "perhaps"}).errors.get("agreed") == "Select yes or no"


@pytest.mark.parametrize("typed", ["", "7 "])
def test_a_missing_version_never_matches_a_record(typed: str) -> None:
    expected = 7 if typed == "7 " else -1
    form = bind(version=typed)
    assert form.version == expected
    assert "version" not in form.errors


@pytest.mark.parametrize("typed", ["x", "-1", "١", "99999999999999999999999"])
def test_a_garbled_version_is_a_bad_request(typed: str) -> None:
    """The portal wrote the version: anything else is refused like every bad number a request
    carries (portal.web.params; tests/web/test_number_params.py)."""
    with pytest.raises(BadParameter):
        bind(version=typed)


def test_service_errors_are_merged_in_page_order() -> None:
    form = bind()
    with form.service_errors():
        raise ValidationFailed({"born": "Date of birth is after the offence", "name": "Taken"})
    assert list(form.errors.items()) == [
        ("name", "Taken"),
        ("born", "Date of birth is after the offence"),
    ]
    assert not form.valid and form.status_code == 400


def test_unknown_error_ids_follow_the_known_fields() -> None:
    form = bind(count="x")
    form.merge({"row-3": "Row 3 is bad", "name": "Taken", "count": "ignored: one per field"})
    assert list(form.errors.items()) == [
        ("name", "Taken"),
        ("count", "Number of witnesses must be a whole number"),
        ("row-3", "Row 3 is bad"),
    ]
    form.add_error("kind", "Pick another")
    assert [name for name, _ in form.errors.items()] == ["name", "count", "kind", "row-3"]


def test_a_stale_edit_keeps_what_is_stored_and_answers_409() -> None:
    form = bind()
    with form.service_errors(stale_field="notes"):
        raise StaleEdit({"name": "Ada King"}, 8)
    assert form.stale is not None and form.stale.current_version == 8
    assert form.stale.current == {"name": "Ada King"}
    assert form.errors.get("notes", "").startswith("Someone else saved this")
    assert form.status_code == 409 and not form.valid
    first = bind()
    with first.service_errors(stale_message="Check it again"):
        raise StaleEdit({}, 1)
    assert list(first.errors.items()) == [("name", "Check it again")]


def test_other_domain_errors_go_on_to_the_edge() -> None:
    form = bind()
    with pytest.raises(NotPermitted), form.service_errors():
        raise NotPermitted("no")
    assert form.valid


class FakeContext:
    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any], str | None, int]] = []

    def render(
        self, template: str, context: dict[str, Any], *, block: str | None, status_code: int
    ) -> str:
        self.calls.append((template, context, block, status_code))
        return "rendered"


def test_render_form_passes_the_form_and_its_status() -> None:
    ctx = FakeContext()
    form = bind(name="")
    assert render_form(ctx, "page.html", form, {"case": "c"}, block="main") == "rendered"  # type: ignore[arg-type]
    template, context, block, status = ctx.calls[0]
    assert (template, block, status) == ("page.html", "main", 400)
    assert context["case"] == "c" and context["form"] is form
    assert context["errors"].get("name") == "Enter full name"


def test_a_subclass_adds_fields_after_its_base_and_can_replace_one() -> None:
    class Base(Form):
        first = Text("First", max_length=5)
        second = Text("Second", max_length=5)

    class Longer(Base):
        third = Text("Third", max_length=5)
        first = Text("First", max_length=50)

    assert list(Longer.fields) == ["first", "second", "third"]
    assert Longer({"first": "x" * 30, "second": "a", "third": "b"}).valid
    assert list(Base.fields) == ["first", "second"]


def test_a_field_can_carry_an_html_name_of_its_own() -> None:
    class Named(Form):
        starts = DateField("Start date", name="starts_on")

    form = Named({"starts_on-day": "1", "starts_on-month": "2", "starts_on-year": "2020"})
    assert form.starts == date(2020, 2, 1)
    assert list(Named.fields) == ["starts_on"]


def test_the_old_helpers_still_work_and_no_longer_crash_on_huge_numbers() -> None:
    assert parse_date_parts("1", "2", "2020", label="Date") == (date(2020, 2, 1), "")
    assert parse_date_parts("", "", "", label="Date") == (None, "")
    incomplete = parse_date_parts("1", "", "", label="Date")
    assert incomplete == (None, "Date must include a month and year")
    assert parse_date_parts("99999999999999999999", "1", "2020", label="Date") == (
        None,
        "Date must be a real date",
    )
    assert parse_date_parts("1", "1", "0001", label="Date") == (
        None,
        "Date must be on or after 1 January 1900",
    )
    assert parse_date_parts("31", "12", "9999", label="Date") == (
        None,
        "Date must be on or before 31 December 9000",
    )
    assert parse_date_parts("1", "1", "2999", label="Date") == (date(2999, 1, 1), "")
    errors = FieldErrors()
    errors.add("a", "first")
    errors.add("a", "second")
    assert list(errors.items()) == [("a", "first")] and "a" in errors and len(errors) == 1


def test_a_query_string_can_be_bound_too() -> None:
    from starlette.datastructures import QueryParams

    class Search(Form):
        reference = Text("Reference", max_length=12)

    assert Search(QueryParams("reference=P-ABC")).reference == "P-ABC"
    assert Search({"reference": ["P-1", "P-2"]}).reference == "P-1"


def test_a_field_may_not_take_a_name_the_form_uses() -> None:
    with pytest.raises(TypeError, match="Form's own"):

        class Clash(Form):
            errors = Text("Errors", max_length=5)


# --- the reading-only fields hoisted from the domain forms ------------------------------------


class Reading(Form):
    notes = Typed("Notes")
    court = Typed("Court", strip=False)
    offences = Ticked("Offences")
    measures = Ticked("Measures", ["screen", "live_link"])
    asked = Ticked("Asked for", ["screen"], keep_unknown=True)
    checks = Ticks("The checks")
    version = Revision()


def test_typed_text_is_never_an_error_and_strips_unless_told_not_to() -> None:
    form = Reading({"notes": "  late \x00 ", "court": "  Leeds "}, today=TODAY)
    assert form.valid
    assert (form.notes, form.court) == ("late \x00", "  Leeds ")
    assert form.values["court"] == "  Leeds "


def test_ticked_keeps_the_order_sent_and_drops_what_was_not_offered() -> None:
    data = FormData(
        [
            ("offences", "b"),
            ("offences", "a"),
            ("measures", "live_link"),
            ("measures", "bogus"),
            ("asked", "bogus"),
            ("asked", "screen"),
        ]
    )
    form = Reading(data, today=TODAY)
    assert form.valid
    assert form.offences == ["b", "a"] and form.values["offences"] == ["b", "a"]
    assert form.measures == ["live_link"] and form.values["measures"] == ["live_link"]
    assert form.asked == ["bogus", "screen"] and form.values["asked"] == ["screen"]
    shown = Reading.initial(measures=["bogus", "screen"], today=TODAY)
    assert shown.values["measures"] == ["screen"]


def test_ticks_are_a_set_shown_sorted() -> None:
    form = Reading(FormData([("checks", "b"), ("checks", "a"), ("checks", "b")]), today=TODAY)
    assert form.checks == {"a", "b"} and form.values["checks"] == ["a", "b"]


@pytest.mark.parametrize(
    ("typed", "value", "shown"),
    [("", None, ""), ("7", 7, "7"), ("x", -1, ""), ("1" * 10, -1, ""), ("٣", -1, "")],
)
def test_a_revision_is_optional_and_garbage_matches_no_record(
    typed: str, value: int | None, shown: str
) -> None:
    form = Reading({"version": typed}, today=TODAY)
    assert form.valid and form.version == value and form.values["version"] == shown


class OldDates(Form):
    on = PartsDate("The date", message="Enter the date")
    later = PartsDate("Date received", required=False)
    start = IsoDate("start", required=False, name="from")


def test_parts_date_keeps_the_old_messages_and_what_was_typed() -> None:
    form = OldDates({"on-day": "3", "on-month": "", "on-year": "2025"}, today=TODAY)
    assert form.errors.get("on") == "The date must include a month"
    assert form.values["on-day"] == "3" and form.values["later-day"] == ""
    assert OldDates({}, today=TODAY).errors.get("on") == "Enter the date"
    form = OldDates({"on-day": "3", "on-month": "2", "on-year": "8999"}, today=TODAY)
    assert form.valid and form.on == date(8999, 2, 3) and form.later is None


@pytest.mark.parametrize(
    ("typed", "value", "error"),
    [
        ("", None, None),
        ("2026-02-03", date(2026, 2, 3), None),
        ("3/2/2026", None, "Enter the start date as YYYY-MM-DD"),
    ],
)
def test_an_iso_date_is_optional_and_shown_as_typed(
    typed: str, value: date | None, error: str | None
) -> None:
    form = OldDates({"from": typed, "on-day": "1", "on-month": "1", "on-year": "2026"}, today=TODAY)
    assert form.start == value and form.errors.get("from") == error
    assert form.values["from"] == typed
    assert iso_date(typed) == value


def test_service_refusals_catch_validation_and_guards_for_plain_pages() -> None:
    with ServiceRefusals(suffix="-1") as refusals:
        raise ValidationFailed({"reason": "Enter a reason"})
    assert refusals.refused and dict(refusals.errors.items()) == {"reason-1": "Enter a reason"}
    with ServiceRefusals(onto="reason", guards=True) as refusals:
        raise GuardRefused("approve", "A different officer must approve it")
    assert dict(refusals.errors.items()) == {"reason": "A different officer must approve it"}
    with pytest.raises(GuardRefused), ServiceRefusals(onto="reason"):
        raise GuardRefused("approve", "no")
    with ServiceRefusals() as refusals:
        pass
    assert not refusals.refused


class Edited(EditForm):
    STALE_FIELD = "notes"
    STALE = "Someone else updated this"

    notes = Typed("Notes")
    version = Revision()


def test_an_edit_form_saving_carries_the_stored_version_after_a_stale_edit() -> None:
    form = Edited({"notes": "mine", "version": "3"}, today=TODAY)
    with form.saving():
        raise StaleEdit({"notes": "theirs"}, 4)
    assert form.stale is not None and form.values["version"] == "4"
    assert form.refused() == {"notes": "Someone else updated this"}
    assert form.status_code == 409


class Prefixed(Form):
    prefix = "action-"
    description = Text("Action", max_length=10, name="action-description")
    due_on = DateField("Due date", required=False, name="action-due_on")


def test_a_prefixed_form_speaks_the_services_names() -> None:
    form = Prefixed({"action-due_on-day": "40", "action-due_on-month": "1"}, today=TODAY)
    assert form.unreadable() == {
        "description": "Enter action",
        "due_on": "Due date must include a year",
    }
    form.merge({"description": "Too long", "owner": "Select an owner"})
    assert list(dict(form.errors.items())) == [
        "action-description",
        "action-due_on",
        "action-owner",
    ]


class FakeRequest:
    def __init__(self, **path: str) -> None:
        self.path_params = path


def test_an_id_in_the_path_that_is_not_a_uuid_is_not_found() -> None:
    ctx: Any = type("Ctx", (), {"request": FakeRequest(case_id="nope")})()
    with pytest.raises(NotFound):
        path_id(ctx, "case_id")
    good = "8a5f4a44-2d1e-4d0b-9a59-2b0e8b1b6b51"
    ctx.request = FakeRequest(case_id=good)
    assert str(path_id(ctx, "case_id")) == good


def test_build_makes_a_command_from_the_fields_named_as_its_fields() -> None:
    from dataclasses import dataclass

    @dataclass
    class Command:
        notes: str
        version: int | None
        extra: str = "default"

    form = Reading({"notes": " n ", "version": "", "court": "c"}, today=TODAY)
    assert form.build(Command) == Command("n", None)
    assert form.build(Command, version=0, extra="x") == Command("n", 0, "x")
