"""Matching's keyring: the shared one, and a way to open the sealed cards of several
partners together, their data keys read in one statement (the shown suggestions)."""

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select

from shared.crypto import KeyNotAvailable, Keyring, open_, parse
from shared.crypto.documents import COLUMN
from shared.crypto.keyring import Executor


class MatchingKeyring(Keyring):
    def open_documents(
        self, session: Executor, sealed: Sequence[tuple[str, str, bytes]]
    ) -> list[Any]:
        """Documents sealed as ``(table, row id, blob)``, in that order: what
        ``open_document`` gives for each, with every data key read in one statement."""
        headers = [parse(blob) for _, _, blob in sealed]
        keys: dict[str, bytes] = {}
        wanted = sorted({header.key_id for header in headers})
        if wanted:
            rows = session.execute(select(self.table).where(self.table.c.id.in_(wanted))).all()
            keys = {row.id: self._unwrap(session, row) for row in rows}
        documents = []
        for (table, row_id, _), header in zip(sealed, headers, strict=True):
            key = keys.get(header.key_id)
            if key is None:
                raise KeyNotAvailable(f"data key {header.key_id} does not exist")
            plain = open_(key, header, (self.service, table, row_id, COLUMN))
            documents.append(json.loads(plain))
        return documents
