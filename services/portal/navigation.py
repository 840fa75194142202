"""The portal's sections and which roles may enter each. The registry's roles are the
source of truth; this table only decides what the portal offers, and every section's route
checks it again, so hiding a link is never the only guard."""

from collections.abc import Iterable
from dataclasses import dataclass

from services.portal.i18n import N_


@dataclass(frozen=True)
class Section:
    key: str
    path: str
    label: str  # msgid; translated where it is shown
    description: str  # msgid
    roles: frozenset[str]
    # False once the section has real pages; until then it shows a "coming soon" page.
    placeholder: bool = True


SECTIONS: tuple[Section, ...] = (
    Section(
        "partners",
        "/partners",
        N_("Partners"),
        N_("Organisations and citizens in your network, their cards and consents."),
        frozenset({"admin", "staff", "coordinator"}),
        placeholder=False,
    ),
    Section(
        "districts",
        "/districts",
        N_("Districts"),
        N_("Short notes from the districts and who covers which district."),
        frozenset({"admin", "staff", "coordinator"}),
        placeholder=False,
    ),
    Section(
        "support_users",
        "/support-users",
        N_("Support users"),
        N_("The people you support, their wishes and their networks."),
        # Those matching lets work with support users.
        frozenset({"admin", "staff", "coordinator"}),
        placeholder=False,
    ),
    Section(
        "my_network",
        "/my-network",
        N_("My wishes and network"),
        N_("What you want, what you are good at and who is in your network."),
        frozenset({"support_user"}),
        placeholder=False,
    ),
    Section(
        "reminders",
        "/reminders",
        N_("Reminders"),
        N_("Partners to keep in touch with, greetings and newsletters."),
        frozenset({"admin", "staff", "coordinator"}),
        placeholder=False,
    ),
    Section(
        "meetings",
        "/meetings",
        N_("Meetings"),
        N_("Review meetings with municipal officials and their follow-up."),
        frozenset({"admin", "coordinator"}),
        placeholder=False,
    ),
    Section(
        "planner",
        "/planning",
        N_("Planning"),
        N_("Resources and unmet wishes by district and category, without personal data."),
        frozenset({"admin", "planner"}),
        placeholder=False,
    ),
    Section(
        "network",
        "/network",
        N_("Network"),
        N_("Who knows whom in your sharing pools: brokers, bottlenecks and isolated people."),
        frozenset({"admin", "staff", "coordinator"}),
        placeholder=False,
    ),
    Section(
        "access_log",
        "/access-log",
        N_("Access log"),
        N_("When other organisations looked at your partners, and every export."),
        frozenset({"admin", "staff", "coordinator"}),
        placeholder=False,
    ),
)

SECTIONS_BY_KEY = {section.key: section for section in SECTIONS}

# Role and organisation kind names as the registry sends them, marked for translation.
ROLE_LABELS = {
    "admin": N_("Organisation admin"),
    "staff": N_("Staff member"),
    "coordinator": N_("Network coordinator"),
    "planner": N_("Municipal planner"),
    "support_user": N_("Support user"),
}
ORGANISATION_KIND_LABELS = {
    "support_provider": N_("Support provider"),
    "association": N_("Association"),
    "municipality": N_("Municipality"),
}


def sections_for(roles: Iterable[str]) -> list[Section]:
    """The sections any of these roles may enter, in the portal's fixed order."""
    held = set(roles)
    return [section for section in SECTIONS if section.roles & held]


def may_enter(section: Section, roles: Iterable[str]) -> bool:
    return bool(section.roles & set(roles))
