"""Events between services: the transactional outbox, its relay and idempotent consumers.

An event is written into the publishing service's ``outbox`` in the same transaction as
the change it reports; the relay hands unsent rows to the subscribers' Celery queues in
batches and marks them sent; a consumer applies each event id once. Payloads carry ids and
coarse, non-identifying attributes only, because they travel through the broker."""

from shared.events.consumer import apply_new, apply_once, processed_event_table
from shared.events.outbox import Event, batched_events, outbox_table, publish
from shared.events.relay import relay_batches, relay_pending, to_tasks

__all__ = [
    "Event",
    "apply_new",
    "apply_once",
    "batched_events",
    "outbox_table",
    "processed_event_table",
    "publish",
    "relay_batches",
    "relay_pending",
    "to_tasks",
]
