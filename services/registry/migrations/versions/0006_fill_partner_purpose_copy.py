"""data: fill the partners' purpose copies from their consent grants

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 07:46:00
"""

from collections import defaultdict
from collections.abc import Sequence
from datetime import date

import sqlalchemy as sa
from alembic import op

from shared.migrations import migration_schema

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    schema = migration_schema("registry")
    grants = sa.table(
        "consent_grants",
        sa.column("partner_id", sa.String),
        sa.column("purpose", sa.String),
        sa.column("valid_until", sa.Date),
        schema=schema,
    )
    partners = sa.table(
        "partners",
        sa.column("id", sa.String),
        sa.column("purposes", sa.Text),
        sa.column("purposes_expire_on", sa.Date),
        schema=schema,
    )
    bind = op.get_bind()
    held: dict[str, list[tuple[str, date | None]]] = defaultdict(list)
    for partner_id, purpose, valid_until in bind.execute(sa.select(grants)):
        held[partner_id].append((purpose, valid_until))
    for partner_id, rows in held.items():
        expiries = [until for _, until in rows if until is not None]
        bind.execute(
            partners.update()
            .where(partners.c.id == partner_id)
            .values(
                purposes="".join(f"|{purpose}" for purpose, _ in sorted(rows)) + "|",
                purposes_expire_on=min(expiries) if expiries else None,
            )
        )


def downgrade() -> None:
    """The copy is dropped with its columns by 0005's downgrade."""
