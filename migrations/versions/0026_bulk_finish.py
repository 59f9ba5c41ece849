"""bulk letters a team can finish: why each letter was not sent, the bulk second check

``vlu_not_sent``: one row per letter a bulk send left unsent, with the reason code (no safe
channel, no contact detail, opted out of letters, sealed identity, ...), when the witness care
officer was asked for the missing safe-contact details (and the safeguarding action made for
it), and when the letter was sent after all. ``vlu_bulk_check`` and ``vlu_bulk_check_letter``:
a second officer's check of a bulk decision, the letters it had to read and when each was read
(issue 16 point 4).

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-03 13:45:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import portal.db.base

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None


def _fk(
    table: str, column: str, target: str, ondelete: str | None = None
) -> sa.ForeignKeyConstraint:
    name = op.f(f"fk_{table}_{column}_{target.split('.')[0]}")
    return sa.ForeignKeyConstraint([column], [target], name=name, ondelete=ondelete)


def _at(name: str, nullable: bool) -> sa.Column[object]:
    return sa.Column(name, portal.db.base.UTCDateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "vlu_not_sent",
        sa.Column("request_id", sa.Uuid(), nullable=False),
        sa.Column("decision_id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("job_id", sa.Uuid(), nullable=True),
        sa.Column("reason", sa.String(length=32), nullable=False),
        _at("recorded_at", False),
        _at("asked_at", True),
        sa.Column("asked_by_id", sa.Uuid(), nullable=True),
        sa.Column("action_id", sa.Uuid(), nullable=True),
        _at("resolved_at", True),
        sa.Column("id", sa.Uuid(), nullable=False),
        _fk("vlu_not_sent", "request_id", "vlu_request.id", "CASCADE"),
        _fk("vlu_not_sent", "decision_id", "vlu_decision.id", "CASCADE"),
        _fk("vlu_not_sent", "case_id", "case_file.id", "CASCADE"),
        _fk("vlu_not_sent", "job_id", "job.id", "SET NULL"),
        _fk("vlu_not_sent", "asked_by_id", "user_account.id"),
        _fk("vlu_not_sent", "action_id", "safeguarding_action.id", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vlu_not_sent")),
        sa.UniqueConstraint("request_id", name=op.f("uq_vlu_not_sent_request_id")),
    )
    op.create_index(
        "ix_vlu_not_sent_decision_reason", "vlu_not_sent", ["decision_id", "reason"], unique=False
    )
    op.create_index(op.f("ix_vlu_not_sent_case_id"), "vlu_not_sent", ["case_id"], unique=False)
    op.create_index(op.f("ix_vlu_not_sent_job_id"), "vlu_not_sent", ["job_id"], unique=False)
    op.create_table(
        "vlu_bulk_check",
        sa.Column("decision_id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("checker_id", sa.Uuid(), nullable=False),
        sa.Column("sample_size", sa.Integer(), nullable=False),
        sa.Column("letters", sa.Integer(), nullable=False),
        _at("created_at", False),
        _at("approved_at", True),
        sa.Column("job_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        _fk("vlu_bulk_check", "decision_id", "vlu_decision.id", "CASCADE"),
        _fk("vlu_bulk_check", "case_id", "case_file.id", "CASCADE"),
        _fk("vlu_bulk_check", "checker_id", "user_account.id"),
        _fk("vlu_bulk_check", "job_id", "job.id", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vlu_bulk_check")),
    )
    op.create_index(
        op.f("ix_vlu_bulk_check_decision_id"), "vlu_bulk_check", ["decision_id"], unique=False
    )
    op.create_index(op.f("ix_vlu_bulk_check_case_id"), "vlu_bulk_check", ["case_id"], unique=False)
    op.create_table(
        "vlu_bulk_check_letter",
        sa.Column("check_id", sa.Uuid(), nullable=False),
        sa.Column("request_id", sa.Uuid(), nullable=False),
        sa.Column("why", sa.String(length=24), nullable=False),
        _at("read_at", True),
        sa.Column("id", sa.Uuid(), nullable=False),
        _fk("vlu_bulk_check_letter", "check_id", "vlu_bulk_check.id", "CASCADE"),
        _fk("vlu_bulk_check_letter", "request_id", "vlu_request.id", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vlu_bulk_check_letter")),
        sa.UniqueConstraint("check_id", "request_id", name="once_per_check"),
    )
    op.create_index(
        op.f("ix_vlu_bulk_check_letter_check_id"),
        "vlu_bulk_check_letter",
        ["check_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_vlu_bulk_check_letter_request_id"),
        "vlu_bulk_check_letter",
        ["request_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_table("vlu_bulk_check_letter")
    op.drop_table("vlu_bulk_check")
    op.drop_table("vlu_not_sent")
