"""answer receipts: each answer or hand-in a phone sends, unique by its idempotency key

Revision ID: 7dfc084c8d90
Revises: b7e1a4c2d930
Create Date: 2026-12-02 02:19:50.282607

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "7dfc084c8d90"
down_revision = "b7e1a4c2d930"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "answer_receipt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("attempt_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=True),
        sa.Column(
            "kind",
            sa.Enum("answer", "hand_in", name="receiptkind", native_enum=False, length=24),
            nullable=False,
        ),
        sa.Column(
            "outcome",
            sa.Enum(
                "saved",
                "kept_newer",
                "handed_in",
                "refused",
                name="receiptoutcome",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("typed_at", sa.DateTime(), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["attempt_id"], ["attempt.id"], name=op.f("fk_answer_receipt_attempt_id_attempt")
        ),
        sa.ForeignKeyConstraint(
            ["item_id"], ["item.id"], name=op.f("fk_answer_receipt_item_id_item")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_answer_receipt_user_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_answer_receipt")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_answer_receipt_idempotency_key")),
    )
    with op.batch_alter_table("answer_receipt", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_answer_receipt_attempt_id"), ["attempt_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_answer_receipt_user_id"), ["user_id"], unique=False)
    with op.batch_alter_table("answer", schema=None) as batch_op:
        batch_op.add_column(sa.Column("typed_at", sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table("answer", schema=None) as batch_op:
        batch_op.drop_column("typed_at")
    with op.batch_alter_table("answer_receipt", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_answer_receipt_user_id"))
        batch_op.drop_index(batch_op.f("ix_answer_receipt_attempt_id"))

    op.drop_table("answer_receipt")
