"""What a person reading a service's database would see, on either engine: for tests that
check that personal data is not stored readably."""

from sqlalchemy import Table, select
from sqlalchemy.orm import Session


def stored_text(session: Session, table: Table) -> str:
    """Every row of ``table``, every column, as text (ciphertexts as byte literals)."""
    return repr(session.execute(select(table)).all())
