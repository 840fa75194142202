"""data: each resource's key, and its terms moved from resource_terms to resource_postings

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25 09:02:00
"""

import hashlib
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from shared.migrations import migration_schema

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 5000  # resources per round trip


def _key(resource_id: str) -> int:
    """``index.models.resource_key`` as it is at this revision."""
    digest = hashlib.blake2b(resource_id.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") >> 1


def _tables() -> tuple[sa.TableClause, sa.TableClause, sa.TableClause]:
    schema = migration_schema("matching")
    resources = sa.table(
        "resources", sa.column("id", sa.String), sa.column("key", sa.BigInteger), schema=schema
    )
    terms = sa.table(
        "resource_terms",
        sa.column("resource_id", sa.String),
        sa.column("term", sa.String),
        sa.column("weight", sa.Float),
        schema=schema,
    )
    postings = sa.table(
        "resource_postings",
        sa.column("resource_key", sa.BigInteger),
        sa.column("term", sa.String),
        sa.column("weight", sa.Float),
        schema=schema,
    )
    return resources, terms, postings


def upgrade() -> None:
    resources, terms, postings = _tables()
    bind = op.get_bind()
    ids = list(bind.scalars(sa.select(resources.c.id).order_by(resources.c.id)))
    for start in range(0, len(ids), BATCH):
        bind.execute(
            resources.update()
            .where(resources.c.id == sa.bindparam("resource_id"))
            .values(key=sa.bindparam("resource_key")),
            [{"resource_id": i, "resource_key": _key(i)} for i in ids[start : start + BATCH]],
        )
    bind.execute(
        postings.insert().from_select(
            ["resource_key", "term", "weight"],
            sa.select(resources.c.key, terms.c.term, terms.c.weight).join(
                resources, resources.c.id == terms.c.resource_id
            ),
        )
    )
    bind.execute(terms.delete())


def downgrade() -> None:
    resources, terms, postings = _tables()
    bind = op.get_bind()
    bind.execute(
        terms.insert().from_select(
            ["resource_id", "term", "weight"],
            sa.select(resources.c.id, postings.c.term, postings.c.weight).join(
                resources, resources.c.key == postings.c.resource_key
            ),
        )
    )
    bind.execute(postings.delete())
    bind.execute(resources.update().values(key=None))
