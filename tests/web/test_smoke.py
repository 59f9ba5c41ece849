from starlette.testclient import TestClient

from portal.accounts.roles import Role
from tests.support.factories import make_user
from tests.support.web import sign_in, text_of


def test_sign_in_shows_role_home(client: TestClient, db) -> None:
    user = make_user(db, role=Role.PROSECUTOR, username="p1", display_name="Pat Prosecutor")
    db.commit()
    sign_in(client, user.username)
    page = client.get("/home")
    assert page.status_code == 200
    assert "Pat Prosecutor" in text_of(page.text)
    assert "My work" in text_of(page.text)
