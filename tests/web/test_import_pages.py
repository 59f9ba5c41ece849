"""The import page: access and scoping, errors by row and column, all or nothing, the CSV kept."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from starlette.applications import Starlette
from starlette.testclient import TestClient

from portal.accounts.roles import Role
from portal.app import create_app
from portal.audit.models import AuditEvent
from portal.cases import import_routes
from portal.cases.models import CaseParty
from portal.people.models import Person
from tests.support.factories import make_case, make_session_token, make_user
from tests.support.web import csrf_from, soup, text_of


@pytest.fixture
def app(settings, engine, monkeypatch):
    """The app, with the import routes in its route table if portal.app does not list them yet
    (so the body-size limits for uploads apply exactly as they will)."""
    import portal.app as app_module

    if "case_import" not in {getattr(r, "name", None) for r in app_module.all_routes()}:
        original = app_module.all_routes
        monkeypatch.setattr(app_module, "all_routes", lambda: [*original(), *import_routes.routes])
    application = create_app(settings)
    yield application
    application.state.engine.dispose()


def client_as(app: Starlette, db, user) -> TestClient:
    token = make_session_token(db, user)
    db.commit()
    client = TestClient(app)
    client.cookies.set("portal_session", token)
    return client


@pytest.fixture
def world(db, settings):
    officer = make_user(db, role=Role.WITNESS_CARE_OFFICER)
    prosecutor = make_user(db, role=Role.PROSECUTOR)
    case = make_case(db, settings, prosecutor=prosecutor, officer=officer, offences=("FA2006-S2",))
    elsewhere = make_case(db, settings, area="wessex", unit="rasso")
    db.commit()
    return {"officer": officer, "prosecutor": prosecutor, "case": case, "elsewhere": elsewhere}


def people_in(db, case_id) -> int:
    count = db.scalar(
        select(func.count()).select_from(CaseParty).where(CaseParty.case_id == case_id)
    )
    db.commit()  # end the read: on SQLite every transaction holds the write lock
    return int(count or 0)


def big_csv(count: int, bad: dict[int, str] | None = None) -> str:
    lines = ["full_name,role,date_of_birth"]
    for i in range(count):
        lines.append(f"Victim Number{i},victim,")
    for row_number, line in (bad or {}).items():
        lines[row_number - 1] = line
    return "\n".join(lines) + "\n"


def post_csv(client: TestClient, url: str, text: str):
    token = csrf_from(client.get(url).text)
    return client.post(url, data={"csrf_token": token, "csv_text": text}, follow_redirects=False)


def test_the_page_explains_the_columns(app, db, world) -> None:
    client = client_as(app, db, world["officer"])
    response = client.get(f"/cases/{world['case'].id}/import")
    assert response.status_code == 200
    page = text_of(response.text)
    assert "Import victims and witnesses" in page
    assert world["case"].urn in page
    for column in ("full_name", "date_of_birth", "role", "safe_channels", "report_fraud_ref"):
        assert column in page
    assert "10,000 rows" in page or f"{import_routes.importer.MAX_ROWS:,} rows" in page


@pytest.mark.parametrize("role", [Role.VLU_OFFICER, Role.AUDITOR, Role.ADMIN])
def test_only_witness_care_officers_and_prosecutors_may_import(app, db, world, role) -> None:
    client = client_as(app, db, make_user(db, role=role))
    assert client.get(f"/cases/{world['case'].id}/import").status_code == 403


def test_cases_outside_scope_answer_404(app, db, world) -> None:
    client = client_as(app, db, world["officer"])
    assert client.get(f"/cases/{world['elsewhere'].id}/import").status_code == 404
    assert client.get("/cases/not-a-uuid/import").status_code == 404
    token = csrf_from(client.get(f"/cases/{world['case'].id}/import").text)
    response = client.post(
        f"/cases/{world['elsewhere'].id}/import",
        data={"csrf_token": token, "csv_text": big_csv(1)},
        follow_redirects=False,
    )
    assert response.status_code == 404
    assert people_in(db, world["elsewhere"].id) == 0


def test_5000_rows_with_3_bad_rows_import_nothing_and_name_them_then_import_all(
    app, db, world
) -> None:
    case_id = world["case"].id
    url = f"/cases/{case_id}/import"
    client = client_as(app, db, world["prosecutor"])
    bad = {
        12: "Victim Number10,victim,31/02/1990",
        2400: ",victim,",
        5001: "Victim Number4999,accomplice,",
    }
    source = big_csv(5000, bad)

    response = post_csv(client, url, source)

    assert response.status_code == 400
    html = soup(response.text)
    assert html.title is not None and html.title.get_text().startswith("Error:")
    summary = html.select_one(".govuk-error-summary")
    assert summary is not None
    items = [li.get_text(" ", strip=True) for li in summary.select("li")]
    assert items == [
        "Row 12, date_of_birth: Date of birth must be a real date",
        "Row 2400, full_name: Enter the person’s full name",
        "Row 5001, role: Role must be victim, witness or both",
    ]
    assert [a["href"] for a in summary.select("a")] == ["#problem-1", "#problem-2", "#problem-3"]
    table_rows = [
        [td.get_text(strip=True) for td in tr.select("td")]
        for tr in html.select("#problems + table tbody tr")
    ]
    assert [r[:2] for r in table_rows] == [
        ["12", "date_of_birth"],
        ["2400", "full_name"],
        ["5001", "role"],
    ]
    assert html.select_one("#problem-2") is not None
    textarea = html.select_one("textarea#csv_text")
    assert textarea is not None and textarea.get_text() == source  # kept to fix in place
    assert "govuk-textarea--error" in textarea["class"]
    assert people_in(db, case_id) == 0

    fixed = big_csv(5000)
    response = post_csv(client, url, fixed)

    assert response.status_code == 303, text_of(response.text)[:300]
    assert response.headers["location"] == f"/cases/{case_id}"
    assert people_in(db, case_id) == 5000
    assert (
        db.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "case.import", AuditEvent.case_id == case_id)
        )
        == 1
    )


def test_an_empty_submission_is_an_error_on_the_box(app, db, world) -> None:
    client = client_as(app, db, world["officer"])
    response = post_csv(client, f"/cases/{world['case'].id}/import", "  ")
    assert response.status_code == 400
    html = soup(response.text)
    summary = html.select_one(".govuk-error-summary")
    assert summary is not None
    link = summary.select_one("a")
    assert link is not None and link["href"] == "#csv_text"
    assert "Paste the CSV into the box" in link.get_text()


def test_header_problems_are_reported_against_the_header_row(app, db, world) -> None:
    client = client_as(app, db, world["officer"])
    response = post_csv(client, f"/cases/{world['case'].id}/import", "name,role\nA,victim\n")
    assert response.status_code == 400
    page = text_of(response.text)
    assert "Header row: Column ‘name’ is not one this page accepts" in page
    assert "Header row: Add a ‘full_name’ column" in page


def test_importing_the_same_people_twice_is_refused_and_the_match_is_logged(app, db, world) -> None:
    case_id = world["case"].id
    url = f"/cases/{case_id}/import"
    client = client_as(app, db, world["officer"])
    source = "full_name,date_of_birth,role\nAna Lima,2000-02-01,victim\n"
    assert post_csv(client, url, source).status_code == 303
    response = post_csv(client, url, source)
    assert response.status_code == 400
    reference = db.scalars(select(Person.reference)).one()
    assert f"This person is already in the case (reference {reference})" in text_of(response.text)
    logged = db.scalars(select(AuditEvent).where(AuditEvent.action == "person.import_match")).all()
    assert [e.subject_ref for e in logged] == [reference]
    assert people_in(db, case_id) == 1


def test_nothing_personal_reaches_the_url_or_the_log(app, db, world, caplog) -> None:
    client = client_as(app, db, world["officer"])
    with caplog.at_level("DEBUG"):
        response = post_csv(
            client,
            f"/cases/{world['case'].id}/import",
            "full_name,role,email\nCanary Person,victim,canary@example.com\n",
        )
    assert response.status_code == 303
    assert "Canary" not in response.headers["location"]
    assert "Canary" not in caplog.text and "canary@example.com" not in caplog.text


def upload(client: TestClient, url: str, name: str, body: bytes):
    token = csrf_from(client.get(url).text)
    return client.post(
        url,
        data={"csrf_token": token},
        files={"csv_file": (name, body, "text/csv")},
        follow_redirects=False,
    )


def test_a_csv_file_can_be_uploaded(app, db, world) -> None:
    case_id = world["case"].id
    url = f"/cases/{case_id}/import"
    client = client_as(app, db, world["officer"])
    body = "\ufefffull_name,role\n" + "".join(f"Person {i},victim\n" for i in range(3))
    response = upload(client, url, "victims.csv", body.encode("utf-8"))
    assert response.status_code == 303
    assert people_in(db, case_id) == 3


def test_upload_problems_are_shown_against_the_file_input(app, db, world) -> None:
    url = f"/cases/{world['case'].id}/import"
    client = client_as(app, db, world["officer"])

    wrong_type = upload(client, url, "victims.xlsx", b"PK\x03\x04")
    assert wrong_type.status_code == 400
    html = soup(wrong_type.text)
    assert (
        html.select_one("#csv_file-error")
        .get_text(" ", strip=True)
        .endswith(  # type: ignore[union-attr]
            "The selected file must be a CSV file"
        )
    )
    assert html.select_one(".govuk-error-summary a")["href"] == "#csv_file"  # type: ignore[index]

    nothing = upload(client, url, "", b"")
    assert nothing.status_code == 400
    assert "Select a CSV file" in text_of(nothing.text)

    not_utf8 = upload(
        client, url, "victims.csv", "full_name,role\nZo\xeb,victim\n".encode("cp1252")
    )
    assert "The file must be saved as CSV UTF-8 (comma delimited)" in text_of(not_utf8.text)

    bad_rows = upload(client, url, "victims.csv", b"full_name,role\nA,victim\nB,nobody\n")
    assert bad_rows.status_code == 400
    page = soup(bad_rows.text)
    assert "Row 3, role: Role must be victim, witness or both" in page.select_one(  # type: ignore[union-attr]
        ".govuk-error-summary"
    ).get_text(" ", strip=True)
    assert "You chose victims.csv" in text_of(bad_rows.text)
    # Small enough to fix in the box: the file's text is put there.
    assert page.select_one("textarea#csv_text").get_text() == "full_name,role\nA,victim\nB,nobody\n"  # type: ignore[union-attr]
    assert people_in(db, world["case"].id) == 0


def test_a_5000_row_file_over_1_mib_uploads_and_a_bad_one_names_its_rows(app, db, world) -> None:
    case_id = world["case"].id
    url = f"/cases/{case_id}/import"
    client = client_as(app, db, world["officer"])
    header = (
        "full_name,date_of_birth,address,phone,email,role,action_fraud_ref,language,interpreter"
    )
    rows = [
        f'Victim Number{i},1960-02-{i % 28 + 1:02d},"Flat {i % 90}, {i} Riverside Walk, '
        "Southampton, Hampshire SO14 3TJ, "
        'United Kingdom of Great Britain and Northern Ireland",'
        f"07700 900{i % 1000:03d},"
        f"victim{i}@example.com,victim,NFRC25{i:08d},Polish,yes"
        for i in range(5000)
    ]
    bad = list(rows)
    bad[9] = bad[9].replace("1960-02-", "1960-02-3")  # row 11
    bad[1999] = bad[1999].replace(",victim,", ",,")  # row 2001
    bad[4999] = bad[4999].replace("Polish,yes", ",yes")  # row 5001
    body = ("\n".join([header, *bad]) + "\n").encode()
    assert len(body) > 1024 * 1024  # above the ordinary body limit

    rejected = upload(client, url, "fraud-victims.csv", body)

    assert rejected.status_code == 400
    cells = [
        [td.get_text(strip=True) for td in tr.select("td")][:2]
        for tr in soup(rejected.text).select("#problems + table tbody tr")
    ]
    assert cells == [["11", "date_of_birth"], ["2001", "role"], ["5001", "language"]]
    assert soup(rejected.text).select_one("textarea#csv_text").get_text() == ""  # type: ignore[union-attr]
    assert people_in(db, case_id) == 0

    fixed = ("\n".join([header, *rows]) + "\n").encode()
    assert upload(client, url, "fraud-victims.csv", fixed).status_code == 303
    assert people_in(db, case_id) == 5000


def test_the_upload_route_takes_one_file_and_a_larger_body() -> None:
    route = next(r for r in import_routes.routes if r.name == "case_import_submit")
    assert route.max_files == 1
    assert (
        route.max_body_bytes is not None and route.max_body_bytes > import_routes.importer.MAX_BYTES
    )
    page = next(r for r in import_routes.routes if r.name == "case_import")
    assert page.max_files == 0 and page.max_body_bytes is None
