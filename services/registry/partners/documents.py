"""JSON documents sealed with a partner's own data key: cards, activities, contributions."""

import json
from typing import Any

from sqlalchemy.orm import Session

from services.registry.partners.models import Partner
from shared.crypto import Keyring


def seal(
    session: Session,
    keyring: Keyring,
    partner: Partner,
    table: str,
    row_id: str,
    document: dict[str, Any],
) -> bytes:
    return keyring.encrypt(
        session,
        organisation_id=partner.organisation_id,
        subject_id=partner.id,
        table=table,
        row_id=row_id,
        column="document",
        value=json.dumps(document, default=str),
    )


def unseal(
    session: Session, keyring: Keyring, table: str, row_id: str, blob: bytes
) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(
        keyring.decrypt(session, table=table, row_id=row_id, column="document", blob=blob)
    )
    return document
