"""assignments: index (agent_id, borrower_id) instead of (agent_id)

An agent's scope check (which of these plan rows or follow-ups are the agent's accounts) then reads the agent's
borrower ids from the index alone, without a visit to each row's table block.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.create_index("ix_assignments_agent_borrower", ["agent_id", "borrower_id"], unique=False)
        batch_op.drop_index(batch_op.f("ix_assignments_agent_id"))


def downgrade() -> None:
    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_assignments_agent_id"), ["agent_id"], unique=False)
        batch_op.drop_index("ix_assignments_agent_borrower")
