"""Every service answers errors in one JSON shape, also for routing and size errors."""

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import BaseModel, Field
from sqlalchemy import create_engine, text

from shared.app import create_service_app
from shared.errors import Invalid, NotFound
from shared.settings import SharedSettings


class Thing(BaseModel):
    name: str = Field(min_length=2)
    size: int


def make_app(max_body_bytes: int = 1000) -> FastAPI:
    settings = SharedSettings(max_body_bytes=max_body_bytes)
    app = create_service_app("test", settings, {"always": lambda: None}, title="test")

    @app.post("/things")
    def create(thing: Thing) -> Thing:
        if thing.name == "taken":
            raise Invalid("name", "that name is taken", code="name_taken")
        return thing

    @app.get("/things/{thing_id}")
    def read(thing_id: int) -> None:
        raise NotFound("no such thing")

    return app


client = TestClient(make_app())


def test_validation_errors_name_the_field() -> None:
    response = client.post("/things", json={"name": "x", "size": 1})
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert error["field"] == "name"
    missing = client.post("/things", json={"name": "long enough"}).json()["error"]
    assert missing["field"] == "size"
    bad_path = client.get("/things/abc").json()["error"]
    assert bad_path["field"] == "thing_id"


def test_domain_errors_keep_their_code_and_field() -> None:
    response = client.post("/things", json={"name": "taken", "size": 1})
    assert response.status_code == 422
    assert response.json() == {
        "error": {"code": "name_taken", "message": "that name is taken", "field": "name"}
    }
    assert client.get("/things/1").json() == {
        "error": {"code": "not_found", "message": "no such thing"}
    }


def test_unknown_route_and_wrong_method() -> None:
    unknown = client.get("/nowhere")
    assert unknown.status_code == 404
    assert unknown.json()["error"]["code"] == "not_found"
    wrong = client.delete("/things")
    assert wrong.status_code == 405
    assert wrong.json()["error"]["code"] == "method_not_allowed"


def test_too_large_bodies_are_refused_declared_or_streamed() -> None:
    declared = client.post(
        "/things", content=b"x" * 2000, headers={"content-type": "application/json"}
    )
    assert declared.status_code == 413
    assert declared.json()["error"]["code"] == "payload_too_large"

    def chunks():  # no Content-Length: the limit must hold while reading
        for _ in range(5):
            yield b" " * 400

    streamed = client.post(
        "/things", content=chunks(), headers={"content-type": "application/json"}
    )
    assert streamed.status_code == 413
    assert streamed.json()["error"]["code"] == "payload_too_large"


def test_healthz_reports_each_check() -> None:
    assert client.get("/healthz").json() == {
        "service": "test",
        "status": "ok",
        "checks": {"always": "ok"},
    }

    def broken() -> None:
        raise ConnectionError("down")

    app = create_service_app("test", SharedSettings(), {"database": broken}, title="test")
    response = TestClient(app).get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "failing: ConnectionError"}


@pytest.mark.postgresql_only("SQLite stores a NUL character; only PostgreSQL refuses it as data")
def test_a_value_the_database_refuses_is_bad_input_and_stores_nothing(pg_url: str) -> None:
    """A NUL character passes request validation but not PostgreSQL: the answer is a 422 in
    the one error shape, not a server error, and the unit of work stored nothing."""
    engine = create_engine(pg_url)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE IF NOT EXISTS error_test_things (name text)"))
        conn.execute(text("DELETE FROM error_test_things"))
    app = make_app()

    @app.post("/stored-things")
    def store(thing: Thing) -> Thing:
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO error_test_things VALUES ('first')"))
            conn.execute(text("INSERT INTO error_test_things VALUES (:n)"), {"n": thing.name})
        return thing

    try:
        refused = TestClient(app).post("/stored-things", json={"name": "a\u0000b", "size": 1})
        assert refused.status_code == 422
        assert refused.json()["error"]["code"] == "invalid_value"
        assert "NUL" in refused.json()["error"]["message"]
        with engine.connect() as conn:
            assert conn.scalar(text("SELECT count(*) FROM error_test_things")) == 0
        stored = TestClient(app).post("/stored-things", json={"name": "ab", "size": 1})
        assert stored.status_code == 200
    finally:
        with engine.begin() as conn:
            conn.execute(text("DROP TABLE error_test_things"))
        engine.dispose()
