"""Student names found anywhere by trigrams on PostgreSQL (LIKE '%part%' by index).

Revision ID: a7d9e1f3b5c8
Revises: f1c3d5e7a9b2
Create Date: 2026-12-02
"""

from alembic import op

revision = "a7d9e1f3b5c8"
down_revision = "f1c3d5e7a9b2"
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return  # SQLite reads its (smaller) lists through ix_student_site_search
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.create_index(
        "ix_student_search_trgm",
        "student",
        ["search_name"],
        postgresql_using="gin",
        postgresql_ops={"search_name": "gin_trgm_ops"},
    )


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.drop_index("ix_student_search_trgm", table_name="student")
