"""An upload larger than the import limit is refused with 413 in the shared error shape, as
soon as the limit is passed, and writes nothing."""

from collections.abc import Iterator

import anyio
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from starlette.types import Message

from services.registry.runtime import Registry
from services.registry.transfer.upload import MIB
from tests.registry.transfer.conftest import Staff, counts

BOUNDARY = "kortisto-test-boundary"
HEADER = (
    f"--{BOUNDARY}\r\n"
    'Content-Disposition: form-data; name="file"; filename="huge.csv"\r\n'
    "Content-Type: text/csv\r\n\r\n"
    "Nimi;Tyyppi\r\n"
).encode()
TAIL = f"\r\n--{BOUNDARY}--\r\n".encode()


@pytest.fixture
def small_limit(registry: Registry) -> Iterator[None]:
    saved = registry.settings
    registry.settings = saved.model_copy(update={"import_max_bytes": MIB})
    yield
    registry.settings = saved


def test_a_50_mb_upload_is_refused_and_writes_nothing(
    client: TestClient, org: Staff, registry: Registry
) -> None:
    before = counts(registry)
    rows = b"Maija Meikalainen;kansalainen\n" * (50 * MIB // 30 + 1)
    response = client.post(
        "/imports/partners?dry_run=false",
        headers=org.staff.headers,
        files={"file": ("huge.csv", b"Nimi;Tyyppi\n" + rows, "text/csv")},
    )
    assert response.status_code == 413
    error = response.json()["error"]
    assert error["code"] == "payload_too_large"
    assert "exceeds" in error["message"] or "import limit" in error["message"]
    assert counts(registry) == before


def _chunked_upload(app: FastAPI, token: str, total: int, chunk: int) -> tuple[int, int, bytes]:
    """Sends a multipart body in chunks without a Content-Length, as a browser streaming a
    file does, and counts the chunks the application asked for before answering."""
    pulled = 0
    sent = 0
    status = 0
    body = bytearray()

    async def receive() -> Message:
        nonlocal pulled, sent
        pulled += 1
        if pulled == 1:
            return {"type": "http.request", "body": HEADER, "more_body": True}
        if sent < total:
            sent += chunk
            return {"type": "http.request", "body": b"x" * chunk, "more_body": True}
        return {"type": "http.request", "body": TAIL, "more_body": False}

    async def send(message: Message) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            body.extend(message.get("body", b""))

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/imports/partners",
        "raw_path": b"/imports/partners",
        "query_string": b"dry_run=false",
        "root_path": "",
        "headers": [
            (b"host", b"testserver"),
            (b"content-type", f"multipart/form-data; boundary={BOUNDARY}".encode()),
            (b"authorization", token.encode()),
        ],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }
    anyio.run(app, scope, receive, send)
    return status, pulled, bytes(body)


@pytest.mark.usefixtures("small_limit")
def test_a_streamed_upload_is_cut_off_at_the_import_limit(
    client: TestClient, org: Staff, registry: Registry
) -> None:
    before = counts(registry)
    chunk = 64 * 1024
    status, pulled, body = _chunked_upload(
        client.app,  # type: ignore[arg-type]
        org.staff.headers["Authorization"],
        total=50 * MIB,
        chunk=chunk,
    )
    assert status == 413
    assert b'"code":"payload_too_large"' in body
    assert b"the file is larger than the import limit of 1 MB" in body
    # 1 MB is 16 chunks of 64 kB: the reading stopped right after the limit, far from 50 MB.
    assert pulled <= MIB // chunk + 3
    assert counts(registry) == before


@pytest.mark.usefixtures("small_limit")
def test_a_file_under_the_limit_still_imports(client: TestClient, org: Staff) -> None:
    response = client.post(
        "/imports/partners",
        headers=org.staff.headers,
        files={"file": ("ok.csv", b"Nimi;Tyyppi;Puhelin\nA B;kansalainen;0401234567\n")},
    )
    assert response.status_code == 200, response.text
    declared = client.post(
        "/imports/partners",
        headers=org.staff.headers,
        files={"file": ("big.csv", b"Nimi;Tyyppi\n" + b"A;kansalainen\n" * (MIB // 14 + 10))},
    )
    assert declared.status_code == 413
    assert declared.json()["error"] == {
        "code": "payload_too_large",
        "message": "the file is larger than the import limit of 1 MB",
        "field": "file",
    }
