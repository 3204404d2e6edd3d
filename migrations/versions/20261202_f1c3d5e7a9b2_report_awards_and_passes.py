"""report awards and passes: the state report reads a state's awards and passed units by site

Revision ID: f1c3d5e7a9b2
Revises: e8a2c4f61b07
Create Date: 2026-12-02 07:50:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "f1c3d5e7a9b2"
down_revision = "e8a2c4f61b07"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("report_enrollment", schema=None) as batch_op:
        batch_op.add_column(sa.Column("award_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("award_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("award_partial", sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column("award_system", sa.String(length=20), nullable=True))
        batch_op.add_column(
            sa.Column("award_credit", sa.Numeric(precision=6, scale=2), nullable=True)
        )
        batch_op.add_column(sa.Column("award_imported", sa.Boolean(), nullable=True))
        batch_op.create_index(
            "ix_report_enrollment_award",
            ["site_id", "award_at"],
            unique=False,
            sqlite_where=sa.text("award_at IS NOT NULL"),
            postgresql_where=sa.text("award_at IS NOT NULL"),
        )
    op.create_table(
        "report_unit_pass",
        sa.Column("enrollment_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("unit_number", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("assigned_at", sa.DateTime(), nullable=False),
        sa.Column("completed_at", sa.DateTime(), nullable=True),
        sa.Column("passed_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("enrollment_id", "unit_number", name=op.f("pk_report_unit_pass")),
    )
    op.create_index("ix_report_unit_pass_site", "report_unit_pass", ["site_id", "passed_at"])
    with op.batch_alter_table("report_refresh", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_award_id", sa.Integer(), nullable=True))
    # The new columns are empty until the worker's next rebuild: make it rebuild now.
    op.execute("DELETE FROM report_refresh")


def downgrade():
    with op.batch_alter_table("report_refresh", schema=None) as batch_op:
        batch_op.drop_column("last_award_id")
    op.drop_index("ix_report_unit_pass_site", table_name="report_unit_pass")
    op.drop_table("report_unit_pass")
    with op.batch_alter_table("report_enrollment", schema=None) as batch_op:
        batch_op.drop_index("ix_report_enrollment_award")
        batch_op.drop_column("award_imported")
        batch_op.drop_column("award_credit")
        batch_op.drop_column("award_system")
        batch_op.drop_column("award_partial")
        batch_op.drop_column("award_at")
        batch_op.drop_column("award_id")
