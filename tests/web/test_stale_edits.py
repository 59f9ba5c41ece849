"""Issue 19 point 5: no lost update anywhere.

Every form that edits an existing record carries the record's version, and a stale submit (the
record changed since the form was shown) gets the conflict page, 409, with what was typed still
in the form. The forms come from the pages of a seeded world, so a new edit form is covered the
moment a page shows it; a form that is not an edit must be named in ``NOT_EDITS`` with why.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.accounts.actor import Actor
from portal.accounts.roles import Role
from portal.cases.models import CaseParty
from portal.clock import to_london, utc_now
from portal.safeguards import service as safeguards
from portal.web.forms import STALE_MESSAGE
from tests.support.vlu import vault_for
from tests.support.web import csrf_from, text_of
from tests.web.test_hostile_input import Fuzzer, _discover, _path_values, route_for
from tests.web.test_hostile_input import world as world

MARKER = "Stalecheck typed words"

# Forms that add a new record, run a search or export, or sign in or out: nothing stored is
# overwritten, so there is no version to check.
NOT_EDITS = {
    "person_rights_record": "records what happened: the duties it starts are added once",
    "breakglass_request_save": "adds a break-glass use",
    "breakglass_review_save": "a use is reviewed once: a second review is refused (409)",
    "account_setup_submit": "sets up a new account with a one-time code",
    "admin_user_create": "adds a user",
    "admin_user_deactivate": "a switch: an account already deactivated is refused (403)",
    "admin_user_access_request": "adds a request; one waiting already is refused",
    "admin_access_change_decide": "a change is decided once: a second decision is refused (409)",
    "admin_user_activate": "a switch: the same answer whoever presses it last",
    "anonymity_apply": "drafts a new application",
    "anonymity_restriction": "adds a restriction",
    "anonymity_action": "a state transition: a stale one is refused by the state machine",
    "audit_export": "an export",
    "case_create": "adds a case",
    "case_import_submit": "adds imported records",
    "compliance_export": "an export",
    "event_create": "adds a case event",
    "outcomes_person_save": "records a new loss",
    "outcomes_import_save": "adds imported losses",
    "extend": "extends the session",
    "login_submit": "signs in",
    "second_factor_submit": "the second step of signing in",
    "recovery_code_submit": "the second step of signing in, with a recovery code",
    "factor_enrol_start": "starts setting up an authenticator app (once)",
    "factor_enrol_submit": "finishes setting it up (once: then there is nothing to set up)",
    "step_up_submit": "proves the second factor again",
    "account_passkey_register": "adds a passkey (its one-use challenge refuses a second post)",
    "admin_factor_reset_request": "adds a reset request (a second one is refused)",
    "admin_factor_reset_decide": "decided once: a second decision is refused (409)",
    "logout": "signs out",
    "person_action_add": "adds an action",
    "person_create": "adds a person",
    "person_documents_upload": "adds a document",
    "person_nrm_add": "adds an NRM decision",
    "person_reference_add": "adds a reference",
    "person_referral_add": "adds a referral",
    "person_linked_add": "adds a parent, guardian or representative",
    "person_linked_remove": "removes one: pressed again, it says it is already removed",
    "quality_draw": "draws a new sample",
    "quality_score": "scored once: a second score is refused (test_a_sample_is_scored_once)",
    "search_submit": "a search",
    "sm_identify_save": "starts a new application",
    "vlu_bulk": "a state transition for each request, each refused from the wrong state",
    "vlu_message": "adds a message",
    "vlu_ask_witness_care": "adds a request for each person not yet asked (once each)",
    "vlu_bulk_check_start": "starts a check (an open one is kept, not replaced)",
    "vlu_bulk_check_read": "records that a letter was read (once: pressed again, no change)",
    "vlu_bulk_check_approve": "approves once: the check is then closed, and letters already "
    "approved are refused by the state machine",
}


def _filled() -> dict[str, dict[str, str]]:
    today = to_london(utc_now()).date()

    def day(name: str) -> dict[str, str]:
        return {
            f"{name}-day": str(today.day),
            f"{name}-month": str(today.month),
            f"{name}-year": str(today.year),
        }

    needs = {kind: "no" for kind, _ in safeguards.NEED_KINDS}
    return {
        "person_needs_record": {**day("assessed_on"), **needs, "risk_level": "high"},
        "sm_assessment_save": day("hearing_on"),
        "obligation_met": {"channel": "phone", "when": "today"},
    }


FILLED = _filled()


def values_filled(name: str) -> dict[str, str]:
    return FILLED.get(name, {})


def _date_part(name: str) -> bool:
    return name.endswith(("-day", "-month", "-year"))


def test_every_edit_form_refuses_a_stale_submit_and_keeps_what_was_typed(app, db, world):
    fuzzer = Fuzzer(app, db, world)
    values = _path_values(db, world)
    # Sealed people's details are not edited through these forms: leave them out.
    people = zip(world["person_ids"], world["people"], strict=True)
    unsealed = {str(person_id) for person_id, known in people if not known.sealed}
    values["pairs"] = [pair for pair in values["pairs"] if pair[1] in unsealed]
    # Ids are random UUIDs, so which records come first changes from run to run: show every
    # candidate page (up to _paths' limit) so the edit forms found do not depend on that order.
    forms = _discover(fuzzer, app, values, pages_per_route=30)
    checked: set[str] = set()
    problems: list[str] = []
    for (method, action), (role, form) in sorted(forms.items()):
        route = route_for(app, method, action)
        assert route is not None
        if method == "GET" or route.name in NOT_EDITS:
            continue
        if "version" not in form.fields:
            problems.append(f"{route.name}: an edit form without a version field")
            continue
        values = dict(form.fields)
        values.pop("csrf_token", None)
        values.update(FILLED.get(route.name, {}))  # what makes the form valid, but for staleness
        typed = sorted(
            n
            for n in form.typed
            if n != "version" and n not in values_filled(route.name) and not _date_part(n)
        )
        if typed:
            values[typed[0]] = MARKER
        values["version"] = str(int(values["version"] or 1) + 1000)  # not what is stored
        pairs = [(k, v.encode()) for k, v in values.items()]
        response = fuzzer.send(role, method, action, pairs)
        assert response is not None
        label = f"{route.name} ({action})"
        if not typed and response.status_code == 303:  # a button: back to the record, told why
            shown = fuzzer.clients[role].get(response.headers["location"]).text
            if "Someone else" not in shown:
                problems.append(f"{label}: a stale press was not refused")
        elif response.status_code != 409:
            summary = re.findall(r'<a href="#([^"]+)">([^<]+)</a>', response.text)[:6]
            problems.append(f"{label}: a stale submit answered {response.status_code} {summary}")
        elif typed and MARKER not in response.text:
            problems.append(f"{label}: the conflict page lost what was typed in {typed[0]}")
        checked.add(route.name)
    assert problems == [], "\n".join(problems)
    assert fuzzer.failures == [], "\n".join(fuzzer.failures)
    assert {"person_needs_record", "person_update", "person_contact_update"} <= checked
    assert len(checked) >= 10, " ".join(sorted(checked))


def _needs_form(risk: str, notes: str, version: str, token: str) -> dict[str, str]:
    today = to_london(utc_now()).date()
    form = {
        "csrf_token": token,
        "version": version,
        "assessed_on-day": str(today.day),
        "assessed_on-month": str(today.month),
        "assessed_on-year": str(today.year),
        "notes": notes,
        "risk_level": risk,
    }
    for kind, _ in safeguards.NEED_KINDS:
        form[kind] = "no"
    return form


def test_a_stale_needs_assessment_does_not_reset_the_risk_level(app, db, settings, world):
    """The drill's finding: a form shown before another officer raised the risk to High, saved
    later with Medium, silently put it back to Medium."""
    wco = world["staff"]["wco"]
    party = db.scalars(select(CaseParty).where(CaseParty.person_id == world["person_ids"][0])).one()
    case_id, person_id = party.case_id, party.person_id
    db.commit()
    from tests.web.test_case_pages import client_as

    client = client_as(app, db, wco)
    path = f"/cases/{case_id}/people/{person_id}/needs-assessment"
    page = client.get(path)
    assert page.status_code == 200
    shown_version = re.search(r'name="version" value="(\d+)"', page.text)
    assert shown_version, "the needs assessment form carries no version"
    token = csrf_from(page.text)

    # Meanwhile another officer records High.
    other = client_as(app, db, wco)
    other_page = other.get(path)
    saved = other.post(
        path,
        data=_needs_form(
            "high", "Threats by text", shown_version.group(1), csrf_from(other_page.text)
        ),
        follow_redirects=False,
    )
    assert saved.status_code == 303, text_of(saved.text)[:400]

    stale = client.post(
        path,
        data=_needs_form("medium", MARKER, shown_version.group(1), token),
        follow_redirects=False,
    )
    assert stale.status_code == 409
    body = text_of(stale.text)
    assert STALE_MESSAGE in body
    assert "Saved by someone else" in body and "High" in body
    assert MARKER in stale.text  # what was typed is still in the form
    assert 'value="medium" checked' in stale.text or re.search(
        r'value="medium"[^>]*checked', stale.text
    )
    db.expire_all()
    assert db.get(CaseParty, party.id).risk_level == "high"
    db.commit()

    # Saving again on purpose, with the version the conflict page carries, works.
    new_version = re.search(r'name="version" value="(\d+)"', stale.text).group(1)
    again = client.post(
        path, data=_needs_form("medium", MARKER, new_version, token), follow_redirects=False
    )
    assert again.status_code == 303
    db.expire_all()
    assert db.get(CaseParty, party.id).risk_level == "medium"


def test_every_assessment_moves_the_version_on_even_with_the_same_answers(db, settings, world):
    party = db.scalars(select(CaseParty).where(CaseParty.person_id == world["person_ids"][0])).one()
    from portal.cases.models import Case
    from portal.people.models import Person

    case, person = db.get(Case, party.case_id), db.get(Person, party.person_id)
    wco = world["staff"]["wco"]
    actor = Actor(wco.id, Role.WITNESS_CARE_OFFICER, wco.area, wco.unit)
    vault = vault_for(db, settings)
    data = safeguards.NeedsInput(
        needs={kind: safeguards.Need(False, "") for kind, _ in safeguards.NEED_KINDS},
        notes="",
        assessed_on=to_london(utc_now()).date() - timedelta(days=1),
        risk_level=party.risk_level or "low",
        pre_trial_visit_on=party.pre_trial_visit_on,
        witness_service_referred_on=party.witness_service_referred_on,
    )
    before = party.version
    safeguards.record_needs_assessment(
        db, vault, actor, case, party, person, data, expected_version=before
    )
    assert party.version == before + 1
    with pytest.raises(safeguards.StaleEdit) as stale:
        safeguards.record_needs_assessment(
            db, vault, actor, case, party, person, data, expected_version=before
        )
    assert stale.value.current_version == before + 1
    assert stale.value.current["risk_level"] == data.risk_level


def test_a_sample_is_scored_once(app, db, world):
    from portal.compliance.models import QualitySample

    sample = db.scalars(select(QualitySample).where(QualitySample.state == "drawn")).first()
    assert sample is not None
    sample_id = sample.id
    db.commit()
    from tests.web.test_case_pages import client_as

    first, second = (client_as(app, db, world["staff"]["auditor"]) for _ in range(2))
    pages = [c.get("/compliance/quality") for c in (first, second)]
    names = ("accurate", "timely", "empathetic", "plain_english", "rights_explained")
    answers = dict.fromkeys(names, "yes")
    done = first.post(
        f"/compliance/quality/{sample_id}",
        data={**answers, "csrf_token": csrf_from(pages[0].text)},
        follow_redirects=False,
    )
    assert done.status_code == 303
    late = second.post(
        f"/compliance/quality/{sample_id}",
        data={**dict.fromkeys(answers, "no"), "csrf_token": csrf_from(pages[1].text)},
        follow_redirects=False,
    )
    assert late.status_code == 409
    assert "Someone else reviewed this sample" in text_of(late.text)
    db.expire_all()
    stored = db.get(QualitySample, sample_id)
    assert stored.accurate is True and stored.score == 5
