"""Deliveries queued while the reminders API answers a request reach the broker the
settings name: requests run in worker threads, where Celery has no current app of its own."""

import sqlite3
import threading
from pathlib import Path

from services.reminders import tasks
from services.reminders.app import create_app
from services.reminders.settings import RemindersSettings


def test_a_delivery_queued_in_a_request_thread_reaches_the_embedded_broker(
    tmp_path: Path,
) -> None:
    create_app(RemindersSettings(data_dir=tmp_path, broker_url="", result_backend=""))
    queued = threading.Thread(target=tasks.enqueue, args=[["delivery-in-a-thread"]])
    queued.start()
    queued.join(30)
    broker = sqlite3.connect(tmp_path / "celery-broker.db")
    try:
        rows = broker.execute(
            "SELECT q.name, m.payload FROM kombu_message m JOIN kombu_queue q ON q.id = m.queue_id"
        ).fetchall()
    finally:
        broker.close()
    assert [(name, "delivery-in-a-thread" in payload) for name, payload in rows] == [
        ("deliveries", True)
    ]
