"""Tried as a new user would: the application and the decision letter downloaded as PDFs print
Welsh, Romanian, Polish, Greek and Cyrillic names exactly, open with a title and a tagged
structure, and a name the fonts cannot draw stops the download with a page naming the
character, never a file with a "?" in it."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.accounts.roles import Role
from portal.audit.models import AuditEvent
from portal.cases.reference import EventKind
from portal.vlu import service as vlu
from tests.support.factories import make_case, make_user
from tests.support.pdf import assert_accessible, pdf_text
from tests.support.vlu import (
    actor_of,
    add_victims,
    decision_of,
    record,
    requests_of,
    vault_for,
    victim,
)
from tests.support.web import text_of
from tests.web.test_case_pages import client_as
from tests.web.test_special_measures_pages import (
    _drafted,
    base,
    make_world,
)

REASONS = "The main witness has died. Without their evidence we cannot prove the case."


@pytest.mark.parametrize("name", ["Ştefan Ţepeş", "Αλέξανδρος", "Дмитрий", "Łukasz Żółć"])
def test_the_application_prints_the_witness_name_exactly(app, db, settings, name) -> None:
    world = make_world(db, settings, name=name)
    prosecutor, application = _drafted(app, db, world)
    pdf = prosecutor.get(f"{base(world)}/applications/{application.id}/document.pdf")
    assert pdf.status_code == 200
    assert f"Witness {name}" in pdf_text(pdf.content)
    assert "?" not in pdf_text(pdf.content)
    assert_accessible(
        pdf.content, f"Application for a special measures direction, case {world['case'].urn}"
    )
    assert name not in pdf.headers["content-disposition"]


def _letter_for(db, settings, name: str):
    prosecutor = make_user(db, role=Role.PROSECUTOR)
    drafter = make_user(db, role=Role.VLU_OFFICER, display_name="Dana Drafter")
    case = make_case(db, settings, prosecutor=prosecutor, offences=("FA2006-S2",))
    add_victims(db, settings, case, prosecutor, [victim(name)])
    event, _ = record(db, settings, prosecutor, case, EventKind.DISCONTINUANCE)
    decision = decision_of(db, event)
    vault = vault_for(db, settings)
    vlu.supply_reasons(
        db,
        vault,
        actor_of(prosecutor),
        decision,
        reasons=REASONS,
        meeting_offered=None,
        no_meeting_reason="",
        expected_version=decision.version,
    )
    ((request, person),) = requests_of(db, decision)
    body = vlu.first_draft(
        vault,
        request=request,
        decision=decision,
        case=case,
        person=person,
        reasons=REASONS,
        officer_name="Dana Drafter",
    )
    vlu.save_draft(
        db,
        vault,
        actor_of(drafter),
        request,
        decision,
        person,
        body=body,
        expected_version=request.version,
    )
    db.commit()
    return drafter, case, f"/vlu/cases/{case.id}/requests/{request.id}"


def test_a_letter_to_a_welsh_name_prints_it_exactly(app, db, settings) -> None:
    drafter, case, path = _letter_for(db, settings, "Llŷr Ŵyn-Dafydd")
    client = client_as(app, db, drafter)
    pdf = client.get(f"{path}/letter.pdf")
    assert pdf.status_code == 200
    text = pdf_text(pdf.content)
    assert "Dear Llŷr Ŵyn-Dafydd" in text
    assert REASONS in text
    assert "Ll?r" not in text and "?yn" not in text
    assert_accessible(pdf.content, f"Decision letter, case {case.urn}")


def test_a_name_the_fonts_cannot_draw_stops_the_letter_with_a_reason(app, db, settings) -> None:
    drafter, _case, path = _letter_for(db, settings, "王秀英")
    client = client_as(app, db, drafter)
    refused = client.get(f"{path}/letter.pdf")
    assert refused.status_code == 422
    assert refused.headers["content-type"].startswith("text/html")
    shown = text_of(refused.text)
    assert "This document cannot be made" in shown
    assert "U+738B CJK UNIFIED IDEOGRAPH-738B" in shown
    assert "王秀英" not in refused.text  # the character, not the name
    assert "Back to the letter's page" in shown
    db.commit()
    viewed = db.scalars(select(AuditEvent).where(AuditEvent.action == "vlu.letter.view")).all()
    assert viewed  # the attempt is in the access log like any other
