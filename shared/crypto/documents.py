"""JSON documents sealed as one cell: how services keep a subject's structured personal data
(a card, a wish, a profile) encrypted with the subject's own data key."""

import json
from contextlib import nullcontext
from typing import Any

from sqlalchemy.orm import Session

from shared.crypto.keyring import Executor, Keyring

COLUMN = "document"


def seal_document(
    keyring: Keyring,
    session: Executor,
    *,
    organisation_id: str,
    subject_id: str | None,
    table: str,
    row_id: str,
    document: Any,
) -> bytes:
    """The document sealed with the subject's newest key (made on first use). The key's
    look-ups do not flush the session first: the row the document is for is then written
    once, with it, rather than inserted without it and updated."""
    sealing = session.no_autoflush if isinstance(session, Session) else nullcontext()
    with sealing:
        return keyring.encrypt(
            session,
            organisation_id=organisation_id,
            subject_id=subject_id,
            table=table,
            row_id=row_id,
            column=COLUMN,
            value=json.dumps(document, default=str),
        )


def open_document(keyring: Keyring, session: Executor, table: str, row_id: str, blob: bytes) -> Any:
    return json.loads(
        keyring.decrypt(session, table=table, row_id=row_id, column=COLUMN, blob=blob)
    )
