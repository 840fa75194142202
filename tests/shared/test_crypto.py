"""Encryption at rest against real PostgreSQL and the embedded SQLite default: the ciphertext
format, envelope keys, crypto-shredding, key rotation, blind indexes and the key file."""

import base64
import hashlib
import hmac
import json
import os
import stat
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Column, LargeBinary, String, Table, event, select, text
from sqlalchemy.orm import Session

from shared.crypto import (
    CryptoError,
    DecryptionFailed,
    KeyFileProvider,
    KeyNotAvailable,
    Keyring,
    SubjectShredded,
    UnsupportedFormat,
    associated_data,
    data_key_table,
    name_tokens,
    normalise_email,
    normalise_phone,
    open_,
    parse,
    seal,
)
from shared.database import Database, service_metadata
from tests.locks import backend_of, wait_until_blocked_by

SCHEMA = "crypto_test"
METADATA = service_metadata(SCHEMA)
DATA_KEYS = data_key_table(METADATA)
PARTNERS = Table(
    "partners",
    METADATA,
    Column("id", String(36), primary_key=True),
    Column("organisation_id", String(36), nullable=False),
    Column("name", LargeBinary, nullable=False),
    Column("email", LargeBinary, nullable=False),
    Column("email_index", String(64), nullable=False),
)
SERVICE = "registry"
HEADER_SIZE = 1 + 16 + 4


def new_id() -> str:
    return str(uuid.uuid4())


@pytest.fixture(scope="module")
def postgres(pg_url: str) -> Iterator[Database]:
    db = Database(pg_url, SCHEMA)
    with db.engine.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}"))
    yield db
    db.dispose()


@pytest.fixture
def pg(postgres: Database) -> Iterator[Database]:
    METADATA.create_all(postgres.engine)
    yield postgres
    METADATA.drop_all(postgres.engine)


@pytest.fixture
def sqlite() -> Iterator[Database]:
    db = Database("sqlite:///:memory:", SCHEMA)
    METADATA.create_all(db.engine)
    yield db
    db.dispose()


@pytest.fixture(params=["postgresql", "sqlite"])
def database(request: pytest.FixtureRequest) -> Database:
    db: Database = request.getfixturevalue("pg" if request.param == "postgresql" else "sqlite")
    return db


@pytest.fixture
def key_file(tmp_path: Path) -> Path:
    return tmp_path / "keys" / "master.json"


@pytest.fixture
def provider(key_file: Path) -> KeyFileProvider:
    return KeyFileProvider(key_file, create=True)


@pytest.fixture
def keyring(provider: KeyFileProvider) -> Keyring:
    return Keyring(provider, DATA_KEYS, SERVICE)


def encrypt_email(
    database: Database, keyring: Keyring, organisation_id: str, subject_id: str | None, row_id: str
) -> bytes:
    with database.session() as session:
        return keyring.encrypt(
            session,
            organisation_id=organisation_id,
            subject_id=subject_id,
            table="partners",
            row_id=row_id,
            column="email",
            value="matti.meikalainen@example.fi",
        )


def decrypt(
    database: Database,
    keyring: Keyring,
    blob: bytes,
    row_id: str,
    *,
    table: str = "partners",
    column: str = "email",
) -> str:
    with database.session() as session:
        return keyring.decrypt(session, table=table, row_id=row_id, column=column, blob=blob)


def key_rows(database: Database, organisation_id: str) -> list:
    with database.session() as session:
        return list(
            session.execute(
                select(DATA_KEYS)
                .where(DATA_KEYS.c.organisation_id == organisation_id)
                .order_by(DATA_KEYS.c.kind, DATA_KEYS.c.subject_id, DATA_KEYS.c.version)
            )
        )


# --- ciphertext format ------------------------------------------------------------------


def test_format_v1_layout_and_associated_data() -> None:
    key, key_id = os.urandom(32), new_id()
    parts = (SERVICE, "partners", "row-1", "email")
    blob = seal(key, key_id, 7, parts, b"secret")

    assert blob[0] == 1
    assert blob[1:17] == uuid.UUID(key_id).bytes
    assert blob[17:21] == (7).to_bytes(4, "big")
    assert len(blob) == HEADER_SIZE + 12 + len(b"secret") + 16
    header = parse(blob)
    assert (header.key_id, header.key_version) == (key_id, 7)
    assert open_(key, header, parts) == b"secret"
    assert (
        associated_data(parts, 7) == b"kortisto:v1\x1fregistry\x1fpartners\x1frow-1\x1femail\x1f7"
    )
    with pytest.raises(ValueError, match="separator"):
        associated_data((SERVICE, "partners", "row\x1f1", "email"), 7)


def test_unknown_format_version_is_rejected() -> None:
    blob = seal(os.urandom(32), new_id(), 1, ("s", "t", "r", "c"), b"x")
    for bad in (b"\x02" + blob[1:], b"\x00" + blob[1:], b""):
        with pytest.raises(UnsupportedFormat, match="format version"):
            parse(bad)
    with pytest.raises(DecryptionFailed, match="truncated"):
        parse(blob[: HEADER_SIZE - 1])


# --- keyring against the databases ------------------------------------------------------


def test_round_trip(database: Database, keyring: Keyring) -> None:
    organisation_id, subject_id, row_id = new_id(), new_id(), new_id()
    with database.session() as session:
        subject_blob = keyring.encrypt(
            session,
            organisation_id=organisation_id,
            subject_id=subject_id,
            table="partners",
            row_id=row_id,
            column="name",
            value="Matti Meikäläinen 🏠",
        )
        organisation_blob = keyring.encrypt(
            session,
            organisation_id=organisation_id,
            subject_id=None,
            table="organisations",
            row_id=organisation_id,
            column="contact_phone",
            value="",
        )

    assert decrypt(database, keyring, subject_blob, row_id, column="name") == "Matti Meikäläinen 🏠"
    assert (
        decrypt(
            database,
            keyring,
            organisation_blob,
            organisation_id,
            table="organisations",
            column="contact_phone",
        )
        == ""
    )
    rows = key_rows(database, organisation_id)
    assert [(r.kind, r.subject_id, r.version) for r in rows] == [
        ("organisation", None, 1),
        ("subject", subject_id, 1),
    ]
    organisation_key, subject_key = rows
    assert organisation_key.wrapped_by == "1"  # the KEK version
    assert subject_key.wrapped_by == organisation_key.id
    assert parse(subject_blob).key_id == subject_key.id
    assert parse(organisation_blob).key_id == organisation_key.id


def test_keyring_runs_on_a_connection(database: Database, keyring: Keyring) -> None:
    organisation_id, subject_id, row_id = new_id(), new_id(), new_id()
    with database.engine.begin() as conn:
        blob = keyring.encrypt(
            conn,
            organisation_id=organisation_id,
            subject_id=subject_id,
            table="partners",
            row_id=row_id,
            column="email",
            value="a@example.fi",
        )
    with database.engine.connect() as conn:
        assert (
            keyring.decrypt(conn, table="partners", row_id=row_id, column="email", blob=blob)
            == "a@example.fi"
        )


def test_rolled_back_keys_leave_nothing_behind(database: Database, keyring: Keyring) -> None:
    organisation_id = new_id()
    with pytest.raises(RuntimeError), database.session() as session:
        keyring.encrypt(
            session,
            organisation_id=organisation_id,
            subject_id=new_id(),
            table="partners",
            row_id=new_id(),
            column="email",
            value="a@example.fi",
        )
        raise RuntimeError("the caller's transaction fails")
    assert key_rows(database, organisation_id) == []

    row_id = new_id()
    blob = encrypt_email(database, keyring, organisation_id, new_id(), row_id)
    assert decrypt(database, keyring, blob, row_id) == "matti.meikalainen@example.fi"


@pytest.mark.parametrize(
    ("service", "table", "column", "moved_row"),
    [
        (SERVICE, "partners", "email", True),
        (SERVICE, "partners", "phone", False),
        (SERVICE, "support_users", "email", False),
        ("matching", "partners", "email", False),
    ],
    ids=["other-row", "other-column", "other-table", "other-service"],
)
def test_ciphertext_moved_elsewhere_fails(
    database: Database,
    provider: KeyFileProvider,
    keyring: Keyring,
    service: str,
    table: str,
    column: str,
    moved_row: bool,
) -> None:
    organisation_id, subject_id, row_id = new_id(), new_id(), new_id()
    blob = encrypt_email(database, keyring, organisation_id, subject_id, row_id)
    assert decrypt(database, keyring, blob, row_id) == "matti.meikalainen@example.fi"

    reader = Keyring(provider, DATA_KEYS, service)
    with pytest.raises(DecryptionFailed):
        decrypt(
            database, reader, blob, new_id() if moved_row else row_id, table=table, column=column
        )


def test_every_tampered_byte_fails(database: Database, keyring: Keyring) -> None:
    organisation_id, row_id = new_id(), new_id()
    blob = encrypt_email(database, keyring, organisation_id, new_id(), row_id)

    for index in range(len(blob)):
        tampered = bytearray(blob)
        tampered[index] ^= 0x01
        if index == 0:
            expected: type[CryptoError] = UnsupportedFormat
        elif index < 17:
            expected = KeyNotAvailable  # the key id now names no key
        else:
            expected = DecryptionFailed  # key version, nonce, ciphertext or tag
        with pytest.raises(expected):
            decrypt(database, keyring, bytes(tampered), row_id)
    with pytest.raises(DecryptionFailed):
        decrypt(database, keyring, blob[:-1], row_id)


def test_master_key_rotation_rewraps_without_touching_data(
    database: Database, key_file: Path, provider: KeyFileProvider, keyring: Keyring
) -> None:
    organisation_id, subject_id, row_id = new_id(), new_id(), new_id()
    subject_blob = encrypt_email(database, keyring, organisation_id, subject_id, row_id)
    organisation_blob = encrypt_email(database, keyring, organisation_id, None, organisation_id)
    with database.session() as session:
        index = keyring.blind_index(
            session, organisation_id, "email", "matti.meikalainen@example.fi"
        )
    before = {row.id: row for row in key_rows(database, organisation_id)}

    assert provider.add_version() == "2"
    with database.session() as session:
        assert keyring.rewrap_organisation_keys(session) == 2  # organisation + blind index
    with database.session() as session:
        assert keyring.rewrap_organisation_keys(session) == 0
    provider.retire("1")

    after = {row.id: row for row in key_rows(database, organisation_id)}
    assert after.keys() == before.keys()
    for key_id, row in after.items():
        if row.kind == "subject":
            assert (row.wrapped, row.wrapped_by) == (
                before[key_id].wrapped,
                before[key_id].wrapped_by,
            )
        else:
            assert row.wrapped_by == "2"
            assert row.wrapped != before[key_id].wrapped

    # A process that starts after the rotation has only the new KEK and an empty cache.
    fresh = Keyring(KeyFileProvider(key_file), DATA_KEYS, SERVICE)
    assert decrypt(database, fresh, subject_blob, row_id) == "matti.meikalainen@example.fi"
    assert (
        decrypt(database, fresh, organisation_blob, organisation_id)
        == "matti.meikalainen@example.fi"
    )
    with database.session() as session:
        assert (
            fresh.blind_index(session, organisation_id, "email", "Matti.Meikalainen@example.FI")
            == index
        )

    other_organisation = new_id()
    encrypt_email(database, fresh, other_organisation, new_id(), new_id())
    assert [
        r.wrapped_by for r in key_rows(database, other_organisation) if r.kind != "subject"
    ] == ["2"]
    with pytest.raises(KeyNotAvailable):
        provider.unwrap("1", b"\x00" * 40, b"context")


def test_retiring_without_rewrap_loses_access(
    database: Database, key_file: Path, provider: KeyFileProvider, keyring: Keyring
) -> None:
    organisation_id, row_id = new_id(), new_id()
    blob = encrypt_email(database, keyring, organisation_id, new_id(), row_id)
    provider.add_version()
    provider.retire("1")
    fresh = Keyring(KeyFileProvider(key_file), DATA_KEYS, SERVICE)
    with pytest.raises(KeyNotAvailable, match="'1'"):
        decrypt(database, fresh, blob, row_id)


def test_shredded_subject_no_longer_decrypts_anywhere(
    database: Database, provider: KeyFileProvider, keyring: Keyring
) -> None:
    organisation_id, forgotten, kept = new_id(), new_id(), new_id()
    forgotten_row, kept_row = new_id(), new_id()
    forgotten_blob = encrypt_email(database, keyring, organisation_id, forgotten, forgotten_row)
    kept_blob = encrypt_email(database, keyring, organisation_id, kept, kept_row)
    organisation_blob = encrypt_email(database, keyring, organisation_id, None, organisation_id)
    other_process = Keyring(provider, DATA_KEYS, SERVICE)
    assert decrypt(database, other_process, forgotten_blob, forgotten_row)  # warm its caches

    with database.session() as session:
        assert keyring.shred_subject(session, organisation_id, forgotten) == 1

    for reader in (keyring, other_process):
        with pytest.raises(SubjectShredded):
            decrypt(database, reader, forgotten_blob, forgotten_row)
        assert decrypt(database, reader, kept_blob, kept_row) == "matti.meikalainen@example.fi"
        assert (
            decrypt(database, reader, organisation_blob, organisation_id)
            == "matti.meikalainen@example.fi"
        )
    with pytest.raises(SubjectShredded):
        encrypt_email(database, keyring, organisation_id, forgotten, new_id())
    with database.session() as session, pytest.raises(SubjectShredded):
        keyring.rotate_subject_key(session, organisation_id, forgotten)
    with database.session() as session:
        assert keyring.shred_subject(session, organisation_id, forgotten) == 0

    (shredded,) = [r for r in key_rows(database, organisation_id) if r.subject_id == forgotten]
    assert shredded.wrapped is None
    assert shredded.shredded_at is not None


def test_subject_key_rotation(database: Database, keyring: Keyring) -> None:
    organisation_id, subject_id = new_id(), new_id()
    old_row, new_row = new_id(), new_id()
    old_blob = encrypt_email(database, keyring, organisation_id, subject_id, old_row)
    with database.session() as session:
        assert keyring.rotate_subject_key(session, organisation_id, subject_id) == 2
    new_blob = encrypt_email(database, keyring, organisation_id, subject_id, new_row)

    old_header, new_header = parse(old_blob), parse(new_blob)
    assert (old_header.key_version, new_header.key_version) == (1, 2)
    assert old_header.key_id != new_header.key_id
    assert decrypt(database, keyring, old_blob, old_row) == "matti.meikalainen@example.fi"
    assert decrypt(database, keyring, new_blob, new_row) == "matti.meikalainen@example.fi"

    with database.session() as session:
        assert keyring.shred_subject(session, organisation_id, subject_id) == 2
    for blob, row_id in ((old_blob, old_row), (new_blob, new_row)):
        with pytest.raises(SubjectShredded):
            decrypt(database, keyring, blob, row_id)


def test_organisation_keys_are_cached(database: Database, key_file: Path, keyring: Keyring) -> None:
    class CountingProvider(KeyFileProvider):
        unwraps = 0

        def unwrap(self, version: str, blob: bytes, context: bytes) -> bytes:
            self.unwraps += 1
            return super().unwrap(version, blob, context)

    organisation_id = new_id()
    blobs = [
        (encrypt_email(database, keyring, organisation_id, new_id(), row_id), row_id)
        for row_id in (new_id(), new_id(), new_id())
    ]
    counting = CountingProvider(key_file)
    reader = Keyring(counting, DATA_KEYS, SERVICE)
    for blob, row_id in blobs * 2:
        assert decrypt(database, reader, blob, row_id) == "matti.meikalainen@example.fi"
    assert counting.unwraps == 1  # the organisation key, once; subject keys are not KEK-wrapped


def test_blind_indexes_are_scoped_to_the_organisation(database: Database, keyring: Keyring) -> None:
    first, second = new_id(), new_id()
    with database.session() as session:
        email = "matti.meikalainen@example.fi"
        assert keyring.blind_index(session, first, "email", email) == keyring.blind_index(
            session, first, "email", email
        )
        assert keyring.blind_index(session, first, "email", email) != keyring.blind_index(
            session, second, "email", email
        )
        assert keyring.name_blind_indexes(session, first, "Matti") != keyring.name_blind_indexes(
            session, second, "Matti"
        )
    keys = [r for o in (first, second) for r in key_rows(database, o)]
    assert [r.kind for r in keys] == ["blind_index", "blind_index"]
    assert keys[0].wrapped != keys[1].wrapped


def test_blind_index_look_up_by_normalised_value(database: Database, keyring: Keyring) -> None:
    organisation_id = new_id()
    with database.session() as session:

        def index(kind: str, value: str) -> str | None:
            return keyring.blind_index(session, organisation_id, kind, value)

        def names(value: str) -> list[str]:
            return keyring.name_blind_indexes(session, organisation_id, value)

        email = index("email", "Matti.Meikalainen@Example.fi ")
        assert email is not None and len(email) == 64 and int(email, 16) >= 0
        assert email == index("email", "matti.meikalainen@example.fi")
        assert email != index("email", "maija.meikalainen@example.fi")
        assert index("phone", "+358 40 123 4567") == index("phone", "040 1234567")
        assert index("phone", "+358 40 123 4567") != index("phone", "040 1234568")
        assert names("MATTI Meikäläinen") == names("matti meikalainen")
        assert names("Meikäläinen-Matti") == names("matti meikalainen")[::-1]
        assert names("Maija") != names("Matti")
        assert index("email", "  ") is None
        assert index("phone", "") is None
        assert names(" - ") == []
        with pytest.raises(ValueError, match="e-mail"):
            index("email", "matti.meikalainen@")
        with pytest.raises(ValueError, match="phone"):
            index("phone", "040 12")
        with pytest.raises(ValueError, match="name_blind_indexes"):
            index("name", "Matti")


def test_blind_index_is_a_kind_prefixed_hmac_under_the_blind_index_key(
    database: Database, provider: KeyFileProvider, keyring: Keyring
) -> None:
    organisation_id = new_id()
    with database.session() as session:
        email = keyring.blind_index(session, organisation_id, "email", "A@Example.fi")
        phone = keyring.blind_index(session, organisation_id, "phone", "040 1234567")
        names = keyring.name_blind_indexes(session, organisation_id, "Ärrä Matti")
    (row,) = key_rows(database, organisation_id)
    assert row.kind == "blind_index"
    key = provider.unwrap(row.wrapped_by, row.wrapped, row.id.encode())

    def expected(kind: str, normalised: str) -> str:
        return hmac.new(key, f"{kind}\x1f{normalised}".encode(), hashlib.sha256).hexdigest()

    assert email == expected("email", "a@example.fi")
    assert phone == expected("phone", "+358401234567")
    assert names == [expected("name", "arra"), expected("name", "matti")]


def test_plaintext_never_reaches_the_database(database: Database, keyring: Keyring) -> None:
    organisation_id, subject_id, row_id = new_id(), new_id(), new_id()
    name, email = "Matti Meikäläinen", "matti.meikalainen@example.fi"
    with database.session() as session:

        def seal_column(column: str, value: str) -> bytes:
            return keyring.encrypt(
                session,
                organisation_id=organisation_id,
                subject_id=subject_id,
                table="partners",
                row_id=row_id,
                column=column,
                value=value,
            )

        index = keyring.blind_index(session, organisation_id, "email", email)
        session.execute(
            PARTNERS.insert().values(
                id=row_id,
                organisation_id=organisation_id,
                name=seal_column("name", name),
                email=seal_column("email", email),
                email_index=index,
            )
        )

    with database.engine.connect() as conn:
        stored = conn.execute(select(PARTNERS).where(PARTNERS.c.id == row_id)).one()
        key_bytes = [bytes(r.wrapped) for r in conn.execute(select(DATA_KEYS.c.wrapped)).all()]
    cells = [bytes(stored.name), bytes(stored.email), stored.email_index.encode(), *key_bytes]
    for secret in (name, email, "Meikäläinen", "meikalainen", "matti"):
        for encoding in ("utf-8", "utf-16-le", "latin-1"):
            try:
                needle = secret.encode(encoding)
            except UnicodeEncodeError:
                continue
            assert not any(needle.lower() in cell.lower() for cell in cells)
    assert decrypt(database, keyring, stored.email, row_id) == email
    assert decrypt(database, keyring, stored.name, row_id, column="name") == name


def test_concurrent_first_use_creates_one_key(pg: Database, provider: KeyFileProvider) -> None:
    """The second transaction waits on the first's new key rows and then uses them."""
    organisation_id, subject_id = new_id(), new_id()
    first, second = (Keyring(provider, DATA_KEYS, SERVICE) for _ in range(2))
    outcome: dict[str, object] = {}

    def encrypt_in_second_transaction() -> None:
        try:
            outcome["blob"] = encrypt_email(pg, second, organisation_id, subject_id, "row-2")
        except Exception as exc:  # reported by the main thread
            outcome["error"] = exc

    with pg.sessions() as session:
        first_blob = first.encrypt(
            session,
            organisation_id=organisation_id,
            subject_id=subject_id,
            table="partners",
            row_id="row-1",
            column="email",
            value="matti.meikalainen@example.fi",
        )
        backend = backend_of(session)
        thread = threading.Thread(target=encrypt_in_second_transaction)
        thread.start()
        wait_until_blocked_by(pg, backend)
        session.commit()
    thread.join(10)

    assert "error" not in outcome, outcome.get("error")
    second_blob = outcome["blob"]
    assert isinstance(second_blob, bytes)
    assert parse(first_blob).key_id == parse(second_blob).key_id
    assert [(r.kind, r.version) for r in key_rows(pg, organisation_id)] == [
        ("organisation", 1),
        ("subject", 1),
    ]
    assert decrypt(pg, first, second_blob, "row-2") == "matti.meikalainen@example.fi"


def seal_email(session: Session, keyring: Keyring, organisation_id: str, subject_id: str) -> bytes:
    return keyring.encrypt(
        session,
        organisation_id=organisation_id,
        subject_id=subject_id,
        table="partners",
        row_id=subject_id,
        column="email",
        value=f"{subject_id}@example.fi",
    )


def test_new_subject_keys_are_written_together_and_seal_without_look_ups(
    database: Database, keyring: Keyring
) -> None:
    organisation_id, subjects = new_id(), [new_id() for _ in range(3)]
    statements: list[str] = []
    listen = lambda *args: statements.append(args[2])  # noqa: E731 - statement text
    with database.session() as session:
        keyring.new_subject_keys(session, organisation_id, subjects)
        event.listen(database.engine, "before_cursor_execute", listen)
        try:
            blobs = [seal_email(session, keyring, organisation_id, s) for s in subjects]
        finally:
            event.remove(database.engine, "before_cursor_execute", listen)
    assert statements == []  # the batch's keys are the transaction's current ones
    assert [(r.kind, r.version) for r in key_rows(database, organisation_id)] == [
        ("organisation", 1),
        ("subject", 1),
        ("subject", 1),
        ("subject", 1),
    ]
    for subject, blob in zip(subjects, blobs, strict=True):
        assert decrypt(database, keyring, blob, subject) == f"{subject}@example.fi"
    with database.session() as session:
        keyring.shred_subject(session, organisation_id, subjects[0])
        with pytest.raises(SubjectShredded):  # a shred is seen by the same transaction too
            seal_email(session, keyring, organisation_id, subjects[0])


def test_a_key_made_in_a_rolled_back_savepoint_is_not_used_again(
    database: Database, keyring: Keyring
) -> None:
    """A savepoint rolled back takes its new key rows with it: what is sealed after it must
    use a key that exists, or it could never be read again."""
    organisation_id, subject = new_id(), new_id()
    with database.session() as session:
        savepoint = session.begin_nested()
        lost = parse(seal_email(session, keyring, organisation_id, subject)).key_id
        savepoint.rollback()
        kept = seal_email(session, keyring, organisation_id, subject)
    assert parse(kept).key_id != lost
    assert decrypt(database, keyring, kept, subject) == f"{subject}@example.fi"
    assert lost not in {r.id for r in key_rows(database, organisation_id)}


# --- key file provider --------------------------------------------------------------------


def test_key_file_is_created_private(key_file: Path, provider: KeyFileProvider) -> None:
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    content = json.loads(key_file.read_text())
    assert content["current"] == "1" == provider.current_version
    assert len(base64.b64decode(content["keys"]["1"])) == 32

    assert provider.add_version() == "2"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    content = json.loads(key_file.read_text())
    assert (content["current"], sorted(content["keys"])) == ("2", ["1", "2"])
    assert content["keys"]["1"] != content["keys"]["2"]
    assert list(key_file.parent.iterdir()) == [key_file]  # no temporary files left


def test_key_file_provider_wraps_and_rotates(key_file: Path, provider: KeyFileProvider) -> None:
    key = os.urandom(32)
    version, blob = provider.wrap(key, b"key-id")
    assert version == "1"
    assert key not in blob
    assert provider.unwrap("1", blob, b"key-id") == key
    with pytest.raises(DecryptionFailed):
        provider.unwrap("1", blob, b"other-key-id")
    with pytest.raises(KeyNotAvailable, match="'7'"):
        provider.unwrap("7", blob, b"key-id")

    same_file = KeyFileProvider(key_file, create=True)  # an existing file is never replaced
    assert same_file.unwrap("1", blob, b"key-id") == key
    provider.add_version()
    new_version, new_blob = provider.wrap(key, b"key-id")
    assert new_version == "2"
    assert same_file.unwrap("2", new_blob, b"key-id") == key  # picked up from the file

    with pytest.raises(ValueError, match="current"):
        provider.retire("2")
    with pytest.raises(KeyNotAvailable):
        provider.retire("9")
    provider.retire("1")
    assert json.loads(key_file.read_text())["keys"].keys() == {"2"}
    assert provider.add_version() == "3"


def test_key_file_must_exist_unless_created(tmp_path: Path) -> None:
    with pytest.raises(KeyNotAvailable, match="does not exist"):
        KeyFileProvider(tmp_path / "missing.json")
    broken = tmp_path / "broken.json"
    broken.write_text(
        json.dumps({"current": "2", "keys": {"1": base64.b64encode(b"x" * 32).decode()}})
    )
    with pytest.raises(CryptoError, match="current version"):
        KeyFileProvider(broken)


# --- normalisation ------------------------------------------------------------------------


def test_normalise_email() -> None:
    assert normalise_email("Matti.Meikalainen@Example.fi ") == "matti.meikalainen@example.fi"
    assert normalise_email(" matti.meikalainen@example.fi") == "matti.meikalainen@example.fi"
    for invalid in ("", "matti", "matti@", "@example.fi", "matti@@example.fi", "a b@example.fi"):
        with pytest.raises(ValueError, match="invalid e-mail address"):
            normalise_email(invalid)


def test_normalise_phone() -> None:
    assert normalise_phone("+358 40 123 4567") == "+358401234567"
    assert normalise_phone("040 1234567") == "+358401234567"
    assert normalise_phone("040-123 4567", region="FI") == "+358401234567"
    assert normalise_phone("08 123 456 78", region="SE") == "+46812345678"
    for invalid in ("", "abc", "040 12", "+358 00 000 0000"):
        with pytest.raises(ValueError, match="invalid phone number"):
            normalise_phone(invalid)


def test_name_tokens() -> None:
    assert name_tokens("Matti Meikäläinen") == ["matti", "meikalainen"]
    assert name_tokens("MEIKÄLÄINEN, Matti") == ["meikalainen", "matti"]
    assert name_tokens("Anna-Liisa  Ångström  anna") == ["anna", "liisa", "angstrom"]
    assert name_tokens("STRAẞE ﬁnn O'Neil_2") == ["strasse", "finn", "o", "neil", "2"]
    assert name_tokens(" - , ") == []
