"""JSON documents sealed as one cell: how services keep a subject's structured personal data
(a card, a wish, a profile) encrypted with the subject's own data key."""

import json
from typing import Any

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
