"""loan scores (propensity to pay)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "loan_scores",
        sa.Column("loan_id", sa.String(length=64), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("model_version", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["loan_id"], ["loans.loan_id"], name=op.f("fk_loan_scores_loan_id_loans")),
        sa.PrimaryKeyConstraint("loan_id", "as_of", name=op.f("pk_loan_scores")),
    )


def downgrade() -> None:
    op.drop_table("loan_scores")
