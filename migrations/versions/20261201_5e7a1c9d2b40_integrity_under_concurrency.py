"""integrity under concurrency: one current award, one valid certificate, attempt versions, job leases

Existing duplicates are repaired deterministically before the unique indexes are made, and each
repair is logged:
- several current awards of one enrollment: the newest (awarded_at, then id) stays current, the
  others are superseded at its award time;
- several valid certificates of one award, or valid certificates of awards superseded by the
  repair beside one of the current award: the kept one is the current award's earliest (issued_at,
  then id); the others are revoked as duplicates, replaced by the kept one.

Revision ID: 5e7a1c9d2b40
Revises: 1e0dd166bfd4
Create Date: 2026-12-01 22:40:00.000000

"""
import logging
from datetime import UTC, datetime

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5e7a1c9d2b40'
down_revision = '1e0dd166bfd4'
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")


def _now():
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


def _repair_current_awards(bind) -> dict[int, int]:
    """Leave one current award per enrollment; {superseded award id: kept award id}."""
    rows = bind.execute(sa.text(
        "SELECT id, enrollment_id, awarded_at FROM credit_award WHERE superseded_at IS NULL "
        "ORDER BY enrollment_id, awarded_at, id"
    )).all()
    by_enrollment: dict[int, list] = {}
    for row in rows:
        by_enrollment.setdefault(row.enrollment_id, []).append(row)
    repaired = {}
    for enrollment_id, awards in by_enrollment.items():
        if len(awards) < 2:
            continue
        kept = awards[-1]
        for old in awards[:-1]:
            bind.execute(
                sa.text("UPDATE credit_award SET superseded_at = :at WHERE id = :id"),
                {"at": kept.awarded_at, "id": old.id},
            )
            repaired[old.id] = kept.id
        log.warning("enrollment %s had %s current credit awards: kept award %s, superseded %s",
                    enrollment_id, len(awards), kept.id, [a.id for a in awards[:-1]])
    return repaired


def _revoke_duplicate(bind, cert, kept) -> None:
    reason = (f"Duplicate of {kept.serial} for the same credit · "
              f"Duplicado de {kept.serial} por el mismo crédito")
    bind.execute(
        sa.text("UPDATE certificate SET revoked_at = :at, revoke_reason = :reason, "
                "replaced_by_id = :kept WHERE id = :id"),
        {"at": _now(), "reason": reason, "kept": kept.id, "id": cert.id},
    )
    log.warning("certificate %s duplicated %s (award %s): revoked", cert.serial, kept.serial,
                kept.credit_award_id)


def _repair_valid_certificates(bind, superseded: dict[int, int]) -> None:
    rows = bind.execute(sa.text(
        "SELECT id, serial, credit_award_id FROM certificate WHERE revoked_at IS NULL "
        "ORDER BY credit_award_id, issued_at, id"
    )).all()
    by_award: dict[int, list] = {}
    for row in rows:
        by_award.setdefault(row.credit_award_id, []).append(row)
    for certs in by_award.values():
        for duplicate in certs[1:]:
            _revoke_duplicate(bind, duplicate, certs[0])
    for old_award, kept_award in superseded.items():
        if old_award in by_award and kept_award in by_award:
            _revoke_duplicate(bind, by_award[old_award][0], by_award[kept_award][0])


def upgrade():
    bind = op.get_bind()
    superseded = _repair_current_awards(bind)
    _repair_valid_certificates(bind, superseded)
    op.create_index('uq_credit_award_current', 'credit_award', ['enrollment_id'], unique=True,
                    sqlite_where=sa.text('superseded_at IS NULL'),
                    postgresql_where=sa.text('superseded_at IS NULL'))
    op.create_index('uq_certificate_valid_award', 'certificate', ['credit_award_id'], unique=True,
                    sqlite_where=sa.text('revoked_at IS NULL'),
                    postgresql_where=sa.text('revoked_at IS NULL'))
    with op.batch_alter_table('attempt', schema=None) as batch_op:
        batch_op.add_column(sa.Column('version', sa.Integer(), server_default='1', nullable=False))
    with op.batch_alter_table('certificate_job', schema=None) as batch_op:
        batch_op.add_column(sa.Column('award_ids', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('lease_token', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('heartbeat_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('runs', sa.Integer(), server_default='0', nullable=False))


def downgrade():
    with op.batch_alter_table('certificate_job', schema=None) as batch_op:
        batch_op.drop_column('runs')
        batch_op.drop_column('heartbeat_at')
        batch_op.drop_column('lease_token')
        batch_op.drop_column('award_ids')
    with op.batch_alter_table('attempt', schema=None) as batch_op:
        batch_op.drop_column('version')
    op.drop_index('uq_certificate_valid_award', table_name='certificate')
    op.drop_index('uq_credit_award_current', table_name='credit_award')
