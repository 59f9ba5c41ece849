"""A bound ``Form`` fits the GOV.UK macros in components/forms.html as they are: the error
summary links to each field in page order and every input shows what was typed."""

from __future__ import annotations

from datetime import date

from portal.kit.enums import LabelledStrEnum
from portal.web.forms import Checkbox, Choice, DateField, Form, MultiChoice, Text
from portal.web.templating import make_templates
from tests.support.web import soup

PAGE = """
{%- from "components/forms.html" import error_summary, input, date_input, radios, checkboxes -%}
{{ error_summary(errors) }}
{{ input("name", "Full name", errors, value=values.get("name", "")) }}
{{ date_input("born", "Date of birth", errors, values) }}
{{ radios("kind", "Restriction", form.field("kind").options, errors,
          selected=values.get("kind", "")) }}
{{ checkboxes("measures", "Measures", form.field("measures").options, errors,
              checked=values.get("measures", [])) }}
"""


class Kind(LabelledStrEnum):
    ORDER = "order", "Reporting restriction order"
    LIFELONG = "lifelong", "Lifelong anonymity"


class PersonForm(Form):
    name = Text("Full name", max_length=10)
    born = DateField("Date of birth", when="past")
    kind = Choice("Restriction", Kind)
    measures = MultiChoice("Measures", Kind, required=True)
    agreed = Checkbox("Agreed")


def render(form: Form) -> str:
    return make_templates().env.from_string(PAGE).render(**form.context())


def test_errors_link_to_their_fields_in_page_order_and_typed_values_are_kept() -> None:
    typed = {
        "name": "Ada Lovelace-Byron",
        "born-day": "31",
        "born-month": "2",
        "born-year": "2001",
        "kind": "",
    }
    html = soup(render(PersonForm(typed, today=date(2026, 3, 10))))
    links = [(a["href"], a.get_text()) for a in html.select(".govuk-error-summary__list a")]
    assert links == [
        ("#name", "Full name must be 10 characters or fewer"),
        ("#born", "Date of birth must be a real date"),
        ("#kind", "Select restriction"),
        ("#measures", "Select measures"),
    ]
    for href, _ in links:
        assert html.select_one(href) is not None, href  # every link lands on an input
    assert html.select_one("#name")["value"] == "Ada Lovelace-Byron"
    assert html.select_one("#born")["value"] == "31"
    assert html.select_one("#born-month")["value"] == "2"
    assert html.select_one("#born-year")["value"] == "2001"
    assert (
        html.select_one("#born").get("class")
        and "govuk-input--error" in html.select_one("#born")["class"]
    )


def test_choices_and_checkboxes_come_back_ticked() -> None:
    form = PersonForm(
        {"kind": "lifelong", "measures": ["order", "lifelong"]}, today=date(2026, 3, 10)
    )
    html = soup(render(form))
    assert [i["value"] for i in html.select("input[name=kind][checked]")] == ["lifelong"]
    assert [i["value"] for i in html.select("input[name=measures][checked]")] == [
        "order",
        "lifelong",
    ]


def test_a_blank_form_renders_without_a_summary() -> None:
    html = soup(render(PersonForm()))
    assert html.select_one(".govuk-error-summary") is None
    assert html.select_one("#name")["value"] == ""
