"""the second person's "no": an anonymity application refused by its approver (``declined``)

Besides approving or returning it, the second person may refuse an application; it is then
``declined`` and not made. Who refused it, when and their comment go in the columns that hold a
return (``returned_*``): the state tells the two apart (issue 16 point 1).

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-03 13:50:00.000000
"""

from __future__ import annotations

from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None

OLD_STATES = (
    "state IN ('drafted', 'approved', 'served', 'granted', 'refused', 'varied', 'discharged')"
)
NEW_STATES = (
    "state IN ('drafted', 'approved', 'served', 'granted', 'refused', 'varied', 'discharged', "
    "'declined')"
)


def upgrade() -> None:
    with op.batch_alter_table("anonymity_application", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_anonymity_application_state_known"), type_="check")
        batch_op.create_check_constraint(op.f("ck_anonymity_application_state_known"), NEW_STATES)


def downgrade() -> None:
    # A refused application goes back to drafted, with its refusal kept as a return.
    op.execute("UPDATE anonymity_application SET state = 'drafted' WHERE state = 'declined'")
    with op.batch_alter_table("anonymity_application", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_anonymity_application_state_known"), type_="check")
        batch_op.create_check_constraint(op.f("ck_anonymity_application_state_known"), OLD_STATES)
