"""Migration 0027: reviews already under way keep what they recorded, and a request that was
"concluded" as referred for independent review is now in that stage (it is not an outcome)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

import portal.models  # noqa: F401
from portal.cases.reference import EventKind
from portal.db.migrate import downgrade, upgrade
from portal.db.session import make_engine, unit_of_work
from portal.vlu import service as vlu
from portal.wiring import session_factory
from tests.conftest import make_settings
from tests.integration.test_vlu_workflow import _draft_and_check, _ready
from tests.support.database import fresh_database
from tests.support.vlu import actor_of


def test_a_referral_becomes_the_independent_review_stage_and_back(tmp_path: Path) -> None:
    with fresh_database(tmp_path, "m0027") as url:
        settings = make_settings(url, tmp_path)
        engine = make_engine(settings)
        try:
            upgrade(engine)
            with unit_of_work(session_factory(engine)) as db:
                w = _ready(db, settings, EventKind.DISCONTINUANCE)
                _draft_and_check(db, w)
                vlu.send(
                    db,
                    w["vault"],
                    actor_of(w["drafter"]),
                    w["request"],
                    w["decision"],
                    w["person"],
                    channel="letter",
                    expected_version=None,
                )
                request_id = w["request"].id
            downgrade(engine, "0026")
            with engine.begin() as connection:
                connection.execute(
                    text(
                        "UPDATE vlu_request SET state = 'concluded',"
                        " outcome = 'independent_review', review_requested_on = sent_on,"
                        " local_resolution_on = sent_on,"
                        " outcome_on = sent_on WHERE id = :id"
                    ),
                    {"id": request_id.hex if engine.dialect.name == "sqlite" else request_id},
                )
            upgrade(engine, "0027")
            with engine.connect() as connection:
                state, outcome = connection.execute(
                    text("SELECT state, outcome FROM vlu_request")
                ).one()
                review = connection.execute(
                    text(
                        "SELECT requested_on, local_started_on, local_outcome, concluded_on "
                        "FROM vlu_review"
                    )
                ).one()
            assert (state, outcome) == ("independent_review", None)
            assert review[2] == "upheld" and review[0] is not None and review[1] is not None
            assert review[3] is None
            downgrade(engine, "0026")
            with engine.connect() as connection:
                assert connection.execute(text("SELECT state, outcome FROM vlu_request")).one() == (
                    "concluded",
                    "independent_review",
                )
        finally:
            engine.dispose()
