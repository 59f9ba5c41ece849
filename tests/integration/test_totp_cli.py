"""``portal totp USERNAME`` prints the code a demo user's app shows now (issue 18 acceptance)."""

from __future__ import annotations

from click.testing import CliRunner

from portal import cli
from portal.accounts import factors
from portal.clock import utc_now
from portal.keys.vault import KeyCache, Vault
from tests.conftest import TEST_KEK, TEST_SECRET
from tests.support.factories import make_user


def test_it_prints_the_current_code_and_refuses_a_user_without_a_factor(db, settings) -> None:
    enrolled = make_user(db, username="enrolled.user")
    make_user(db, username="no.factor")
    vault = Vault(db, settings.key_provider(), KeyCache())
    secret = factors.enrol_as_operator(db, vault, enrolled, utc_now())
    db.commit()
    env = {
        "PORTAL_INSTANCE_DIR": str(settings.instance_dir),
        "PORTAL_DATABASE_URL": settings.database_url,
        "PORTAL_SECRET_KEY": TEST_SECRET,
        "PORTAL_KEK": TEST_KEK,
    }
    result = CliRunner().invoke(cli.main, ["totp", "Enrolled.User"], env=env)
    assert result.exit_code == 0, result.output
    now = factors.time_step(utc_now())
    shown = result.output.strip()
    assert shown in {factors.code_at(secret, now), factors.code_at(secret, now - 1)}
    refused = CliRunner().invoke(cli.main, ["totp", "no.factor"], env=env)
    assert refused.exit_code == 1
    assert "No user with that username has a second factor" in refused.output


def test_a_new_operator_enrolment_destroys_the_old_secrets_key(db, settings) -> None:
    user = make_user(db)
    vault = Vault(db, settings.key_provider(), KeyCache())
    factors.enrol_as_operator(db, vault, user, utc_now())
    from portal.accounts.factor_repository import factor_of
    from portal.keys.models import DataKey

    first_key = factor_of(db, user.id).key_id
    factors.enrol_as_operator(db, vault, user, utc_now())
    assert db.get(DataKey, first_key).state == "destroyed"
    assert factor_of(db, user.id).key_id != first_key
    db.commit()
