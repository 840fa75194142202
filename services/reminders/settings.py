"""Reminders settings: its database, the Celery broker, the periodic ticks, and e-mail."""

from pydantic import AliasChoices, Field

from shared.settings import ServiceSettings


class RemindersSettings(ServiceSettings):
    service_name: str = "reminders"
    database_url: str = Field("", validation_alias=AliasChoices("KORTISTO_REMINDERS_DATABASE_URL"))
    heartbeat_seconds: float = Field(60.0, description="how often beat proves the worker runs")
    relay_seconds: float = Field(5.0, description="how often outbox events are relayed")
    due_scan_seconds: float = Field(60.0, description="how often beat runs the due scan")
    due_scan_batch: int = Field(1000, ge=1, description="schedules claimed per transaction")
    sweep_after_seconds: float = Field(
        600.0, description="a delivery queued (or being sent) this long is queued again"
    )
    delivery_retries: int = Field(5, ge=0, description="tries after the first before `failed`")
    delivery_backoff_seconds: float = Field(30.0, description="first retry delay; doubles")
    smtp_url: str = Field(
        "",
        description="smtp://user:password@host:port (smtps:// for TLS, ?starttls=1); empty: "
        "e-mails are written as .eml files under <data_dir>/mail (the embedded default)",
    )
    mail_from: str = Field("Kortisto <kortisto@localhost>", description="sender of every e-mail")
    mail_domain: str = Field("kortisto.local", description="right-hand side of Message-IDs")
    reminders_public_url: str = Field(
        "",
        description="reminders' address as partners and calendar programs reach it from the "
        "Internet, the base of newsletters' unsubscribe links (<url>/unsubscribe/<token>) and "
        "of meeting calendars' subscription addresses (<url>/calendar/<token>.ics); empty: "
        "portal_url, whose /unsubscribe/ and /calendar/ the portal passes on to reminders",
    )

    def public_url(self) -> str:
        """Where links in e-mails and calendar programs reach reminders: its own public
        address, or the portal's, which passes those paths on."""
        return (self.reminders_public_url or self.portal_url).rstrip("/")
