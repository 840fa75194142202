"""The Celery broker's settings, by kind of broker: Redis in production, kombu's SQLAlchemy
transport on a SQLite file in the embedded mode (``<data_dir>/celery-broker.db``), or on any
database an operator names with ``sqla+<SQLAlchemy URL>``.

Redis hands a waiting worker each message as it arrives. The SQLAlchemy transport polls,
and kombu's own version of it slows a busy installation down in two ways, which
``Transport`` below mends:

- A worker looks for messages again ``polling_interval`` seconds (1 s by default) after it
  found every queue empty or had as many messages as it may hold; the setting is a
  transport option, but kombu passes every transport option on to SQLAlchemy's
  ``create_engine``, which refuses that one. Here it is taken out first.
- A delivered message is only marked invisible, never deleted, and the next one is looked
  for in time order, reading past every message ever delivered: each look took longer the
  longer the installation ran. Here a message is deleted as it is delivered (kombu never
  reads a delivered row again: an unacknowledged message goes back to its queue as a new
  one), and the rows an earlier version left behind are deleted once per process.
"""

from json import loads
from queue import Empty
from typing import Any

from kombu.transport import sqlalchemy as kombu_sqlalchemy
from kombu.utils.encoding import bytes_to_str
from sqlalchemy import Engine, create_engine, delete, select, text
from sqlalchemy.orm import sessionmaker

SQLALCHEMY_PREFIXES = ("sqla+", "sqlalchemy+")
# Transport options that are kombu's own, not create_engine's.
NOT_FOR_THE_ENGINE = (
    "queue_tablename",
    "message_tablename",
    "callback",
    "errback",
    "max_retries",
    "interval_start",
    "interval_step",
    "interval_max",
    "retry_errors",
    "polling_interval",
)
# An unacknowledged message comes back from Redis after this long if its worker vanished.
REDIS_VISIBILITY_SECONDS = 3600


class Channel(kombu_sqlalchemy.Channel):
    def __init__(self, connection: Any, **kwargs: Any) -> None:
        self._queue_ids: dict[str, int] = {}
        super().__init__(connection, **kwargs)

    def _engine_from_config(self) -> Engine:
        conninfo = self.connection.client
        options = {
            key: value
            for key, value in conninfo.transport_options.items()
            if key not in NOT_FOR_THE_ENGINE
        }
        return create_engine(conninfo.hostname, **options)

    def _open(self) -> tuple[Engine, sessionmaker[Any]]:
        first = self.connection.client.hostname not in self._engines
        engine, sessions = super()._open()
        if first:
            messages = self.message_cls.__table__
            with engine.begin() as connection:
                connection.execute(delete(messages).where(messages.c.visible.is_(False)))
        return engine, sessions

    def _queue_id(self, queue: str) -> int:
        """The queue's row id, looked up once: kombu never deletes a queue's row."""
        found = self._queue_ids.get(queue)
        if found is None:
            found = self._queue_ids[queue] = int(self._get_or_create(queue).id)
        return found

    def _get(self, queue: str, timeout: float | None = None) -> Any:
        """The oldest message of ``queue``, taken out of it (kombu's marks it invisible).
        Most looks find nothing: they read without the write lock that taking one needs."""
        messages = self.message_cls.__table__
        oldest = (
            select(messages.c.id, messages.c.payload)
            .where(messages.c.queue_id == self._queue_id(queue), messages.c.visible.is_(True))
            .order_by(messages.c.timestamp, messages.c.id)
            .limit(1)
        )
        session = self.session
        try:
            if session.execute(oldest).first() is None:
                raise Empty()
        finally:
            session.commit()
        if session.bind.name == "sqlite":
            session.execute(text("BEGIN IMMEDIATE TRANSACTION"))
        try:
            found = session.execute(oldest.with_for_update()).first()
            if found is None:
                raise Empty()  # another worker took it
            session.execute(delete(messages).where(messages.c.id == found.id))
            return loads(bytes_to_str(found.payload))
        finally:
            session.commit()


class Transport(kombu_sqlalchemy.Transport):
    Channel = Channel


def celery_broker_settings(url: str, polling_seconds: float) -> dict[str, Any]:
    """The Celery settings (``broker_url`` and what goes with it) for the broker at ``url``;
    a polling broker looks for new messages every ``polling_seconds``."""
    for prefix in SQLALCHEMY_PREFIXES:
        if url.startswith(prefix):
            return {
                "broker_url": url.removeprefix(prefix),
                "broker_transport": f"{__name__}:Transport",
                "broker_transport_options": {"polling_interval": polling_seconds},
            }
    options = {"visibility_timeout": REDIS_VISIBILITY_SECONDS} if url.startswith("redis") else {}
    return {"broker_url": url, "broker_transport_options": options}
