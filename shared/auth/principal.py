"""Who is calling: a user acting for one organisation, or an integration's API token."""

from dataclasses import dataclass
from datetime import date

from shared.local_time import DEFAULT_ZONE, today_in

ROLES = ("admin", "staff", "coordinator", "planner", "support_user")


@dataclass(frozen=True)
class Principal:
    subject: str
    organisation_id: str
    roles: frozenset[str]
    kind: str = "user"  # "user" or "integration"
    token_id: str = ""
    zone: str = DEFAULT_ZONE  # the organisation's time zone: what "today" means for the caller

    def has_any(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def user_id(self) -> str | None:
        return self.subject if self.kind == "user" else None

    def today(self) -> date:
        """The date today where the caller's organisation works."""
        return today_in(self.zone)
