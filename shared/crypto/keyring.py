"""Envelope encryption of column values with per-organisation and per-subject data keys kept
in a service's ``data_keys`` table, crypto-shredding, key rotation and blind indexes."""

import hashlib
import hmac
import uuid
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any, NamedTuple

from sqlalchemy import (
    CheckConstraint,
    Column,
    ColumnElement,
    Connection,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Row,
    String,
    Table,
    UniqueConstraint,
    event,
    insert,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from shared.crypto import aead, ciphertext
from shared.crypto.blind_index import name_tokens, normalise_email, normalise_phone
from shared.crypto.errors import CryptoError, KeyNotAvailable, SubjectShredded
from shared.crypto.keyprovider import KeyProvider
from shared.database import UtcDateTime

ORGANISATION = "organisation"
SUBJECT = "subject"
BLIND_INDEX = "blind_index"

Executor = Session | Connection

# Inserts that leave the row a concurrent transaction inserted first in place.
_INSERTS: dict[str, Callable[[Table], Any]] = {
    "postgresql": postgresql.insert,
    "sqlite": sqlite.insert,
}


def data_key_table(metadata: MetaData) -> Table:
    """The ``data_keys`` table on a service's metadata. ``wrapped`` is NULL once shredded;
    ``wrapped_by`` is the KEK version, or for subject keys the organisation key id."""
    table = Table(
        "data_keys",
        metadata,
        Column("id", String(36), primary_key=True),
        Column("kind", String(16), nullable=False),
        Column("organisation_id", String(36), nullable=False, index=True),
        Column("subject_id", String(36), nullable=True),
        Column("version", Integer, nullable=False),
        Column("wrapped", LargeBinary, nullable=True),
        Column("wrapped_by", String(64), nullable=False),
        Column("created_at", UtcDateTime(), nullable=False),
        Column("shredded_at", UtcDateTime(), nullable=True),
        UniqueConstraint("kind", "organisation_id", "subject_id", "version"),
        CheckConstraint(f"kind IN ('{ORGANISATION}', '{SUBJECT}', '{BLIND_INDEX}')", name="kind"),
        CheckConstraint(f"(kind = '{SUBJECT}') = (subject_id IS NOT NULL)", name="subject"),
    )
    # NULL subject ids are distinct to the unique constraint: one more for organisation keys.
    no_subject = table.c.subject_id.is_(None)
    Index(
        "uq_data_keys_kind_organisation_id_version_no_subject",
        table.c.kind,
        table.c.organisation_id,
        table.c.version,
        unique=True,
        postgresql_where=no_subject,
        sqlite_where=no_subject,
    )
    return table


class DataKey(NamedTuple):
    id: str
    version: int
    key: bytes


def first_subject_key(
    parent: DataKey, organisation_id: str, subject_id: str
) -> tuple[dict[str, Any], DataKey]:
    """A new subject's first key, wrapped by its organisation's key: the ``data_keys`` row
    to write, and the key."""
    key_id, key = str(uuid.uuid4()), aead.new_key()
    row = {
        "id": key_id,
        "kind": SUBJECT,
        "organisation_id": organisation_id,
        "subject_id": subject_id,
        "version": 1,
        "wrapped": aead.encrypt(parent.key, key, key_id.encode()),
        "wrapped_by": parent.id,
        "created_at": datetime.now(UTC),
        "shredded_at": None,
    }
    return row, DataKey(key_id, 1, key)


_MADE_HERE = "kortisto.keys_made"  # key ids created in a session or connection, in its info
_CURRENT_HERE = "kortisto.current_keys"  # (kind, organisation, subject) -> DataKey, in a session


@event.listens_for(Session, "after_transaction_end")
def _forget_current_keys(session: Session, transaction: Any) -> None:
    """The current keys a session remembers hold only until its transaction, or a savepoint
    in it, ends: a rolled-back savepoint may have taken a new key's row with it. Once the
    outermost transaction ends, the keys it made are committed or gone for good."""
    session.info.pop(_CURRENT_HERE, None)
    if transaction.parent is None:
        session.info.pop(_MADE_HERE, None)


def _current_here(session: Executor) -> dict[tuple[str, str, str | None], "DataKey"]:
    """The keys this session's transaction has made or read, by what they are for; a
    connection keeps none (it has no transaction events to forget them by)."""
    if isinstance(session, Session):
        here: dict[tuple[str, str, str | None], DataKey] = session.info.setdefault(
            _CURRENT_HERE, {}
        )
        return here
    return {}


class Keyring:
    """Encrypts and decrypts one service's personal data. One per process; every method runs
    in the caller's transaction. Unwrapped organisation and blind-index keys are cached (they
    are never shredded); subject keys never are, so a shred takes effect everywhere at once."""

    def __init__(
        self, provider: KeyProvider, table: Table, service: str, *, phone_region: str = "FI"
    ) -> None:
        self.provider = provider
        self.table = table
        self.service = service
        self.phone_region = phone_region
        self._cache: dict[str, bytes] = {}
        # The newest organisation and blind-index key per organisation, once seen committed:
        # those keys get no new versions (master-key rotation re-wraps them in place).
        self._newest: dict[tuple[str, str], DataKey] = {}

    def encrypt(
        self,
        session: Executor,
        *,
        organisation_id: str,
        subject_id: str | None,
        table: str,
        row_id: str,
        column: str,
        value: str,
    ) -> bytes:
        """Seal ``value`` for one cell with the subject's newest key, or with the organisation
        key when ``subject_id`` is None. Keys are created on first use."""
        kind = ORGANISATION if subject_id is None else SUBJECT
        key = self._current_key(session, kind, organisation_id, subject_id)
        aad_parts = (self.service, table, row_id, column)
        return ciphertext.seal(key.key, key.id, key.version, aad_parts, value.encode())

    def decrypt(
        self, session: Executor, *, table: str, row_id: str, column: str, blob: bytes
    ) -> str:
        """The value sealed for exactly this service, table, row and column."""
        header = ciphertext.parse(blob)
        key = self._key_by_id(session, header.key_id)
        return ciphertext.open_(key, header, (self.service, table, row_id, column)).decode()

    def shred_subject(self, session: Executor, organisation_id: str, subject_id: str) -> int:
        """Destroy every version of the subject's key; returns how many were destroyed."""
        t = self.table
        destroyed = session.execute(
            update(t)
            .where(
                t.c.kind == SUBJECT,
                t.c.organisation_id == organisation_id,
                t.c.subject_id == subject_id,
                t.c.wrapped.is_not(None),
            )
            .values(wrapped=None, shredded_at=datetime.now(UTC))
            .returning(t.c.id)
        )
        _current_here(session).pop((SUBJECT, organisation_id, subject_id), None)
        return len(destroyed.all())

    def rewrap_organisation_keys(self, session: Executor) -> int:
        """Re-wrap organisation and blind-index keys not yet under the current KEK version;
        row data and subject keys stay as they are. Returns how many were re-wrapped."""
        t = self.table
        rows = session.execute(
            select(t).where(
                t.c.kind.in_((ORGANISATION, BLIND_INDEX)),
                t.c.wrapped_by != self.provider.current_version,
            )
        ).all()
        for row in rows:
            version, wrapped = self.provider.wrap(self._unwrap(session, row), row.id.encode())
            session.execute(
                update(t).where(t.c.id == row.id).values(wrapped=wrapped, wrapped_by=version)
            )
        return len(rows)

    def rotate_subject_key(self, session: Executor, organisation_id: str, subject_id: str) -> int:
        """Start a new key version for the subject; returns it. Older ciphertexts still read."""
        latest = self._latest(session, SUBJECT, organisation_id, subject_id)
        if latest is not None and latest.wrapped is None:
            raise SubjectShredded("the subject's key has been shredded")
        version = 1 if latest is None else latest.version + 1
        row = self._create(session, SUBJECT, organisation_id, subject_id, version)
        _current_here(session).pop((SUBJECT, organisation_id, subject_id), None)
        return int(row.version)

    def new_subject_keys(
        self, session: Executor, organisation_id: str, subject_ids: Iterable[str]
    ) -> None:
        """The first key of each of several new subjects, written in one statement, so that
        a batch of new rows is sealed without a look-up per row. The subjects must be new:
        a subject that already has a key makes the statement fail."""
        parent = self._current_key(session, ORGANISATION, organisation_id, None)
        here = _current_here(session)
        rows = []
        for subject_id in subject_ids:
            row, key = first_subject_key(parent, organisation_id, subject_id)
            rows.append(row)
            here[(SUBJECT, organisation_id, subject_id)] = key
        if rows:
            session.execute(insert(self.table), rows)
            session.info.setdefault(_MADE_HERE, set()).update(r["id"] for r in rows)

    def blind_index(
        self, session: Executor, organisation_id: str, kind: str, value: str
    ) -> str | None:
        """Index of an ``email`` or ``phone`` for exact look-up; None for a blank value,
        ValueError for an invalid one."""
        if kind == "email":
            normalise = normalise_email
        elif kind == "phone":
            normalise = self._normalise_phone
        else:
            raise ValueError(f"no blind index kind {kind!r}; names use name_blind_indexes")
        if not value.strip():
            return None
        return self._hmac(self._index_key(session, organisation_id), kind, normalise(value))

    def name_blind_indexes(self, session: Executor, organisation_id: str, value: str) -> list[str]:
        """One index per distinct name token, case and diacritics ignored."""
        tokens = name_tokens(value)
        if not tokens:
            return []
        key = self._index_key(session, organisation_id)
        return [self._hmac(key, "name", token) for token in tokens]

    def term_indexes(
        self, session: Executor, organisation_id: str, kind: str, terms: Iterable[str]
    ) -> list[str]:
        """Indexes of terms the caller has normalised itself (search prefixes, words)."""
        key = self._index_key(session, organisation_id)
        return [self._hmac(key, kind, term) for term in terms]

    def _normalise_phone(self, value: str) -> str:
        return normalise_phone(value, self.phone_region)

    def _index_key(self, session: Executor, organisation_id: str) -> bytes:
        return self._current_key(session, BLIND_INDEX, organisation_id, None).key

    @staticmethod
    def _hmac(key: bytes, kind: str, normalised: str) -> str:
        return hmac.new(key, f"{kind}\x1f{normalised}".encode(), hashlib.sha256).hexdigest()

    def _current_key(
        self, session: Executor, kind: str, organisation_id: str, subject_id: str | None
    ) -> DataKey:
        """The newest version of a key, created on first use."""
        if kind != SUBJECT and (kind, organisation_id) in self._newest:
            return self._newest[(kind, organisation_id)]
        here, slot = _current_here(session), (kind, organisation_id, subject_id)
        if slot in here:
            return here[slot]
        row = self._latest(session, kind, organisation_id, subject_id) or self._create(
            session, kind, organisation_id, subject_id, 1
        )
        key = DataKey(row.id, row.version, self._unwrap(session, row))
        # A key made in this unit of work may still be rolled back: the process remembers it
        # only later, the transaction at once. Subject keys are remembered by transactions
        # only, so that a shred takes effect in every other one.
        if kind != SUBJECT and row.id not in session.info.get(_MADE_HERE, ()):
            self._newest[(kind, organisation_id)] = key
        else:
            here[slot] = key
        return key

    def _latest(
        self, session: Executor, kind: str, organisation_id: str, subject_id: str | None
    ) -> Row[Any] | None:
        t = self.table
        subject: ColumnElement[bool] = (
            t.c.subject_id.is_(None) if subject_id is None else t.c.subject_id == subject_id
        )
        return session.execute(
            select(t)
            .where(t.c.kind == kind, t.c.organisation_id == organisation_id, subject)
            .order_by(t.c.version.desc())
            .limit(1)
        ).first()

    def _create(
        self,
        session: Executor,
        kind: str,
        organisation_id: str,
        subject_id: str | None,
        version: int,
    ) -> Row[Any]:
        """Insert a new key version unless a concurrent transaction did; return the newest."""
        key_id = str(uuid.uuid4())
        key = aead.new_key()
        if kind == SUBJECT:
            parent = self._current_key(session, ORGANISATION, organisation_id, None)
            wrapped_by, wrapped = parent.id, aead.encrypt(parent.key, key, key_id.encode())
        else:
            wrapped_by, wrapped = self.provider.wrap(key, key_id.encode())
        dialect = (session.get_bind() if isinstance(session, Session) else session).dialect.name
        if dialect not in _INSERTS:
            raise CryptoError(f"data keys cannot be stored in a {dialect} database")
        inserted = session.execute(
            _INSERTS[dialect](self.table)
            .values(
                id=key_id,
                kind=kind,
                organisation_id=organisation_id,
                subject_id=subject_id,
                version=version,
                wrapped=wrapped,
                wrapped_by=wrapped_by,
                created_at=datetime.now(UTC),
            )
            .on_conflict_do_nothing()
            .returning(*self.table.c)
        ).first()
        # Ours, or, when a concurrent transaction won the race, the one it made.
        row = inserted or self._latest(session, kind, organisation_id, subject_id)
        assert row is not None
        session.info.setdefault(_MADE_HERE, set()).add(row.id)
        return row

    def _key_by_id(self, session: Executor, key_id: str) -> bytes:
        cached = self._cache.get(key_id)
        if cached is not None:
            return cached
        row = session.execute(select(self.table).where(self.table.c.id == key_id)).first()
        if row is None:
            raise KeyNotAvailable(f"data key {key_id} does not exist")
        return self._unwrap(session, row)

    def _unwrap(self, session: Executor, row: Row[Any]) -> bytes:
        cached = self._cache.get(row.id)
        if cached is not None:
            return cached
        if row.wrapped is None:
            raise SubjectShredded("the subject's key has been shredded")
        if row.kind == SUBJECT:
            parent = self._key_by_id(session, row.wrapped_by)
            return aead.decrypt(parent, row.wrapped, row.id.encode())
        key = self.provider.unwrap(row.wrapped_by, row.wrapped, row.id.encode())
        self._cache[row.id] = key
        return key
