"""data: fill the partners' term and category lists from partner_terms and
partner_categories

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-24 08:31:00
"""

from collections.abc import Iterator, Sequence

import sqlalchemy as sa
from alembic import op

from shared.database import string_list
from shared.migrations import migration_schema

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 1000  # partners per round trip; a partner has about 70 terms


def _tables() -> tuple[sa.TableClause, sa.TableClause, sa.TableClause]:
    schema = migration_schema("registry")
    partners = sa.table(
        "partners",
        sa.column("id", sa.String),
        sa.column("category_codes", string_list()),
        sa.column("terms", string_list()),
        schema=schema,
    )
    categories = sa.table(
        "partner_categories",
        sa.column("partner_id", sa.String),
        sa.column("code", sa.String),
        schema=schema,
    )
    terms = sa.table(
        "partner_terms",
        sa.column("partner_id", sa.String),
        sa.column("kind", sa.String),
        sa.column("term", sa.String),
        schema=schema,
    )
    return partners, categories, terms


def _partner_batches(partners: sa.TableClause) -> Iterator[list[str]]:
    ids = list(op.get_bind().scalars(sa.select(partners.c.id).order_by(partners.c.id)))
    for start in range(0, len(ids), BATCH):
        yield ids[start : start + BATCH]


def upgrade() -> None:
    """Each partner's rows become one sorted list; a term is kept as ``<kind>:<term>``
    (terms.tagged)."""
    partners, categories, terms = _tables()
    bind = op.get_bind()
    update = (
        partners.update()
        .where(partners.c.id == sa.bindparam("partner"))
        .values(category_codes=sa.bindparam("category_codes"), terms=sa.bindparam("terms"))
    )
    for ids in _partner_batches(partners):
        lists: dict[str, dict[str, list[str]]] = {
            i: {"category_codes": [], "terms": []} for i in ids
        }
        for partner_id, code in bind.execute(
            sa.select(categories.c.partner_id, categories.c.code).where(
                categories.c.partner_id.in_(ids)
            )
        ):
            lists[partner_id]["category_codes"].append(code)
        for partner_id, kind, term in bind.execute(
            sa.select(terms.c.partner_id, terms.c.kind, terms.c.term).where(
                terms.c.partner_id.in_(ids)
            )
        ):
            lists[partner_id]["terms"].append(f"{kind}:{term}")
        changed = [
            {"partner": i, **{column: sorted(values) for column, values in held.items()}}
            for i, held in lists.items()
            if held["category_codes"] or held["terms"]
        ]
        if changed:  # partners with neither keep their empty lists
            bind.execute(update, changed)


def downgrade() -> None:
    """Back into the tables, which 0009's downgrade has made again (empty)."""
    partners, categories, terms = _tables()
    bind = op.get_bind()
    for ids in _partner_batches(partners):
        codes: list[dict[str, str]] = []
        pairs: list[dict[str, str]] = []
        for partner_id, category_codes, tagged in bind.execute(
            sa.select(partners.c.id, partners.c.category_codes, partners.c.terms).where(
                partners.c.id.in_(ids)
            )
        ):
            codes.extend({"partner_id": partner_id, "code": code} for code in category_codes)
            for value in tagged:
                kind, term = value.split(":", 1)
                pairs.append({"partner_id": partner_id, "kind": kind, "term": term})
        if codes:
            bind.execute(categories.insert(), codes)
        if pairs:
            bind.execute(terms.insert(), pairs)
