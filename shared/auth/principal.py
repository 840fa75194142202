"""Who is calling: a user acting for one organisation, or an integration's API token."""

from dataclasses import dataclass

ROLES = ("admin", "staff", "coordinator", "planner", "support_user")


@dataclass(frozen=True)
class Principal:
    subject: str
    organisation_id: str
    roles: frozenset[str]
    kind: str = "user"  # "user" or "integration"
    token_id: str = ""

    def has_any(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def user_id(self) -> str | None:
        return self.subject if self.kind == "user" else None
