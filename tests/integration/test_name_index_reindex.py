"""The blind-index backfill and the index-key rotation (issue 15 point 8): ``portal keys
reindex`` gives people recorded before migration 0018 their name words and recomputes their exact
indexes under the one normaliser; ``portal keys rotate --index`` does so under a new key."""

from __future__ import annotations

from datetime import date

from click.testing import CliRunner
from sqlalchemy import delete, func, select, update

from portal import cli
from portal.accounts.actor import Actor
from portal.accounts.roles import Role
from portal.db.session import unit_of_work
from portal.keys.models import DataKey, KeyRotation
from portal.keys.vault import KeyCache, Vault
from portal.people import name_index
from portal.people.models import Person, PersonNameWord, PersonReference
from portal.people.service import add_reference, erase_person, seal_identity
from portal.search.service import PersonQuery, find_people
from portal.wiring import session_factory
from tests.conftest import TEST_KEK, TEST_SECRET
from tests.support.factories import add_person, make_case, make_user


def found(factory, settings, actor: Actor, name: str) -> set[str]:
    with unit_of_work(factory) as db:
        vault = Vault(db, settings.key_provider(), KeyCache(), index_bits=settings.blind_index_bits)
        return {m.person.reference for m in find_people(db, vault, actor, PersonQuery(name=name))}


def make_world(db, settings):
    officer = make_user(db, role=Role.WITNESS_CARE_OFFICER)
    actor = Actor(officer.id, Role(officer.role), officer.area, officer.unit)
    case = make_case(db, settings, officer=officer)
    curly, _ = add_person(db, settings, case, name="Siobhán O’Brien", actor_user=officer)
    plain, _ = add_person(db, settings, case, name="Dara Smyth", actor_user=officer)
    sealed, _ = add_person(db, settings, case, name="Vera Sealed", actor_user=officer)
    gone, _ = add_person(db, settings, case, name="Vera Gone", actor_user=officer)
    vault = Vault(db, settings.key_provider(), KeyCache(), index_bits=settings.blind_index_bits)
    add_reference(db, vault, actor, plain, kind="police_crn", value="01/12345/25")
    seal_identity(db, actor, sealed)
    erase_person(db, vault, actor, gone)
    db.commit()
    return actor, {"curly": curly, "plain": plain, "sealed": sealed, "gone": gone}


def as_before_0018(db) -> None:
    """People as an older portal left them: no name words, and (for a name typed with a curly
    apostrophe) an exact index the one normaliser no longer gives."""
    db.execute(delete(PersonNameWord))
    db.execute(update(Person).where(Person.name_index.is_not(None)).values(name_index=1))
    db.commit()


def test_reindex_backfills_name_words_and_exact_indexes(engine, db, settings) -> None:
    actor, people = make_world(db, settings)
    as_before_0018(db)
    factory = session_factory(engine)
    assert found(factory, settings, actor, "Siobhan O'Brien") == set()
    assert found(factory, settings, actor, "Smith") == set()

    done = name_index.reindex(
        factory, settings.key_provider(), index_bits=settings.blind_index_bits, batch=2
    )
    assert done == 4
    assert found(factory, settings, actor, "Siobhan O'Brien") == {people["curly"].reference}
    assert found(factory, settings, actor, "obrien") == {people["curly"].reference}
    assert found(factory, settings, actor, "Smith") == {people["plain"].reference}
    with unit_of_work(factory) as check:
        for key in ("sealed", "gone"):  # no index of any kind on a sealed or erased person
            person = check.get(Person, people[key].id)
            assert person is not None
            assert (person.name_index, person.dob_index) == (None, None)
            words = check.scalar(
                select(func.count())
                .select_from(PersonNameWord)
                .where(PersonNameWord.person_id == person.id)
            )
            assert words == 0
    assert found(factory, settings, actor, "Vera") == set()

    again = name_index.reindex(
        factory, settings.key_provider(), index_bits=settings.blind_index_bits
    )
    assert again == 4  # run again (after a kill, say): the same rows, no duplicates
    assert found(factory, settings, actor, "Smith") == {people["plain"].reference}


def test_rotating_the_index_key_recomputes_every_index(engine, db, settings) -> None:
    actor, people = make_world(db, settings)
    factory = session_factory(engine)
    before = db.get(Person, people["plain"].id)
    assert before is not None
    old_name, old_dob = before.name_index, before.dob_index
    old_reference = db.scalar(select(PersonReference.value_index))
    db.commit()

    assert name_index.start_index_rotation(factory, settings.key_provider()) is True
    assert name_index.start_index_rotation(factory, settings.key_provider()) is False  # resumed
    name_index.reindex(factory, settings.key_provider(), index_bits=settings.blind_index_bits)
    name_index.finish_index_rotation(factory)

    with unit_of_work(factory) as check:
        states = check.execute(
            select(DataKey.state, func.count())
            .where(DataKey.purpose == "index")
            .group_by(DataKey.state)
        ).all()
        assert dict(states) == {"active": 1, "retired": 1}
        assert check.scalar(select(KeyRotation.finished_at).where(KeyRotation.kind == "index"))
        after = check.get(Person, people["plain"].id)
        assert after is not None
        new = (after.name_index, after.dob_index, check.scalar(select(PersonReference.value_index)))
        assert new != (old_name, old_dob, old_reference)
    assert found(factory, settings, actor, "Dara Smyth") == {people["plain"].reference}
    assert found(factory, settings, actor, "Smith") == {people["plain"].reference}
    with unit_of_work(factory) as db2:
        vault = Vault(
            db2, settings.key_provider(), KeyCache(), index_bits=settings.blind_index_bits
        )
        by_reference = find_people(db2, vault, actor, PersonQuery(reference="01/12345/25"))
        assert [m.person.id for m in by_reference] == [people["plain"].id]
    born = PersonQuery(date_of_birth=date(1990, 5, 17))
    with unit_of_work(factory) as db3:
        vault = Vault(
            db3, settings.key_provider(), KeyCache(), index_bits=settings.blind_index_bits
        )
        assert {m.person.id for m in find_people(db3, vault, actor, born)} == {
            people["curly"].id,
            people["plain"].id,
        }


def test_the_cli_commands_reindex_and_rotate_the_index_key(engine, db, settings) -> None:
    actor, people = make_world(db, settings)
    as_before_0018(db)
    env = {
        "PORTAL_INSTANCE_DIR": str(settings.instance_dir),
        "PORTAL_DATABASE_URL": settings.database_url,
        "PORTAL_SECRET_KEY": TEST_SECRET,
        "PORTAL_KEK": TEST_KEK,
        "PORTAL_BLIND_INDEX_BITS": str(settings.blind_index_bits),
        "COLUMNS": "200",
    }
    cli._register_subcommands()
    result = CliRunner().invoke(cli.main, ["keys", "reindex", "--batch", "3"], env=env)
    assert result.exit_code == 0, result.output
    assert "Blind indexes recomputed for 4 people" in result.output
    factory = session_factory(engine)
    assert found(factory, settings, actor, "Smith") == {people["plain"].reference}

    result = CliRunner().invoke(cli.main, ["keys", "rotate", "--index"], env=env)
    assert result.exit_code == 0, result.output
    assert "New blind-index key made" in result.output
    assert found(factory, settings, actor, "Siobhan O'Brien") == {people["curly"].reference}
    assert "O’Brien" not in result.output and "Smyth" not in result.output
