"""right to review: the request against its window, local resolution and independent review

One ``vlu_review`` per communication request: the request date against the window from the
rules data (a late request keeps its reason, sealed), local resolution and the independent
review (Appeals and Review Unit), each with its reviewer, due date, outcome and outcome letter
(sealed). The request gains the review's stages as states; "referred for independent review"
was an outcome and is now a stage: requests concluded that way move to ``independent_review``
(issue 16 point 6).

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-03 13:50:00.000000
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import portal.db.base
import portal.db.encrypted

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None

OLD_STATES = (
    "'requested', 'reasons_supplied', 'drafted', 'needs_redraft', 'checked', 'sent', "
    "'review_requested', 'local_resolution', 'concluded'"
)
NEW_STATES = (
    "'requested', 'reasons_supplied', 'drafted', 'needs_redraft', 'checked', 'sent', "
    "'review_requested', 'local_resolution', 'local_decided', 'local_letter_sent', "
    "'independent_review', 'independent_decided', 'concluded'"
)
OLD_OUTCOMES = "'upheld', 'overturned', 'independent_review', 'withdrawn'"
NEW_OUTCOMES = "'upheld', 'overturned', 'not_reinstated', 'withdrawn'"


def _constraints(states: str, outcomes: str) -> None:
    with op.batch_alter_table("vlu_request", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_vlu_request_state_known"), type_="check")
        batch_op.create_check_constraint(op.f("ck_vlu_request_state_known"), f"state IN ({states})")
        batch_op.drop_constraint(op.f("ck_vlu_request_outcome_known"), type_="check")
        batch_op.create_check_constraint(
            op.f("ck_vlu_request_outcome_known"), f"outcome IS NULL OR outcome IN ({outcomes})"
        )


def _staff(name: str) -> sa.Column[uuid.UUID]:
    return sa.Column(name, sa.Uuid(), nullable=True)


def _outcome(column: str) -> sa.CheckConstraint:
    return sa.CheckConstraint(
        f"{column} IS NULL OR {column} IN ({NEW_OUTCOMES})",
        name=op.f(f"ck_vlu_review_{column}_known"),
    )


STAFF = (
    "recorded_by_id",
    "local_reviewer_id",
    "local_outcome_by_id",
    "local_letter_sent_by_id",
    "independent_reviewer_id",
    "independent_outcome_by_id",
    "independent_letter_sent_by_id",
)


def upgrade() -> None:
    op.create_table(
        "vlu_review",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("request_id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("key_id", sa.Integer(), nullable=False),
        sa.Column("rules_version", sa.String(length=40), nullable=True),
        sa.Column("requested_on", sa.Date(), nullable=True),
        sa.Column("window_ends_on", sa.Date(), nullable=True),
        sa.Column("longstop_on", sa.Date(), nullable=True),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.Column("late_reason", portal.db.encrypted.EncryptedBlob(), nullable=True),
        _staff("recorded_by_id"),
        _staff("local_reviewer_id"),
        sa.Column("local_started_on", sa.Date(), nullable=True),
        sa.Column("local_due_on", sa.Date(), nullable=True),
        sa.Column("local_outcome", sa.String(length=24), nullable=True),
        sa.Column("local_outcome_on", sa.Date(), nullable=True),
        _staff("local_outcome_by_id"),
        sa.Column("local_letter", portal.db.encrypted.EncryptedBlob(), nullable=True),
        sa.Column("local_letter_sent_on", sa.Date(), nullable=True),
        _staff("local_letter_sent_by_id"),
        sa.Column("independent_requested_on", sa.Date(), nullable=True),
        sa.Column("independent_window_ends_on", sa.Date(), nullable=True),
        sa.Column("independent_late", sa.Boolean(), nullable=False),
        sa.Column("independent_late_reason", portal.db.encrypted.EncryptedBlob(), nullable=True),
        _staff("independent_reviewer_id"),
        sa.Column("independent_due_on", sa.Date(), nullable=True),
        sa.Column("independent_outcome", sa.String(length=24), nullable=True),
        sa.Column("independent_outcome_on", sa.Date(), nullable=True),
        _staff("independent_outcome_by_id"),
        sa.Column("independent_letter", portal.db.encrypted.EncryptedBlob(), nullable=True),
        sa.Column("independent_letter_sent_on", sa.Date(), nullable=True),
        _staff("independent_letter_sent_by_id"),
        sa.Column("concluded_on", sa.Date(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", portal.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", portal.db.base.UTCDateTime(timezone=True), nullable=False),
        _outcome("local_outcome"),
        _outcome("independent_outcome"),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["case_file.id"],
            name=op.f("fk_vlu_review_case_id_case_file"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["key_id"], ["data_key.id"], name=op.f("fk_vlu_review_key_id_data_key")
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["vlu_request.id"],
            name=op.f("fk_vlu_review_request_id_vlu_request"),
            ondelete="CASCADE",
        ),
        *(
            sa.ForeignKeyConstraint(
                [name], ["user_account.id"], name=op.f(f"fk_vlu_review_{name}_user_account")
            )
            for name in STAFF
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vlu_review")),
        sa.UniqueConstraint("request_id", name=op.f("uq_vlu_review_request_id")),
    )
    with op.batch_alter_table("vlu_review", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_vlu_review_case_id"), ["case_id"], unique=False)
    # Reviews already under way keep what they recorded: their request date, the local
    # resolution's start and its outcome; "referred for independent review" becomes the stage.
    _constraints(NEW_STATES, OLD_OUTCOMES + ", 'not_reinstated'")
    bind = op.get_bind()
    rows = bind.execute(
        sa.text(
            "SELECT id, case_id, key_id, state, review_requested_on, local_resolution_on, "
            "outcome, outcome_on FROM vlu_request WHERE review_requested_on IS NOT NULL"
        ).columns(
            sa.column("id", sa.Uuid()),
            sa.column("case_id", sa.Uuid()),
            sa.column("key_id", sa.Integer()),
            sa.column("state", sa.String()),
            sa.column("review_requested_on", sa.Date()),
            sa.column("local_resolution_on", sa.Date()),
            sa.column("outcome", sa.String()),
            sa.column("outcome_on", sa.Date()),
        )
    ).all()
    utc = portal.db.base.UTCDateTime(timezone=True)
    review = sa.table(
        "vlu_review",
        sa.column("id", sa.Uuid()),
        sa.column("request_id", sa.Uuid()),
        sa.column("case_id", sa.Uuid()),
        sa.column("key_id", sa.Integer()),
        sa.column("requested_on", sa.Date()),
        sa.column("late", sa.Boolean()),
        sa.column("local_started_on", sa.Date()),
        sa.column("local_outcome", sa.String()),
        sa.column("local_outcome_on", sa.Date()),
        sa.column("independent_late", sa.Boolean()),
        sa.column("concluded_on", sa.Date()),
        sa.column("version", sa.Integer()),
        sa.column("created_at", utc),
        sa.column("updated_at", utc),
    )
    now = datetime.now(UTC)
    for row in rows:
        referred = row.outcome == "independent_review"
        bind.execute(
            review.insert().values(
                id=uuid.uuid4(),
                request_id=row.id,
                case_id=row.case_id,
                key_id=row.key_id,
                requested_on=row.review_requested_on,
                late=False,
                local_started_on=row.local_resolution_on,
                local_outcome="upheld" if referred else row.outcome,
                local_outcome_on=row.outcome_on,
                independent_late=False,
                concluded_on=None if referred else row.outcome_on,
                version=1,
                created_at=now,
                updated_at=now,
            )
        )
    op.execute(
        "UPDATE vlu_request SET state = 'independent_review', outcome = NULL "
        "WHERE outcome = 'independent_review'"
    )
    _constraints(NEW_STATES, NEW_OUTCOMES)


def downgrade() -> None:
    _constraints(NEW_STATES, OLD_OUTCOMES + ", 'not_reinstated'")
    op.execute(
        "UPDATE vlu_request SET outcome = 'independent_review', state = 'concluded' "
        "WHERE state IN ('independent_review', 'independent_decided')"
    )
    op.execute(
        "UPDATE vlu_request SET state = 'local_resolution' "
        "WHERE state IN ('local_decided', 'local_letter_sent')"
    )
    op.execute("UPDATE vlu_request SET outcome = 'upheld' WHERE outcome = 'not_reinstated'")
    _constraints(OLD_STATES, OLD_OUTCOMES)
    with op.batch_alter_table("vlu_review", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_vlu_review_case_id"))
    op.drop_table("vlu_review")
