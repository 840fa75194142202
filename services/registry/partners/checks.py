"""What a partner's values are checked against before anything is written: the reference
data (districts, categories), the organisation's members and the sharing targets of its
consent. One ``Checks`` serves a whole batch, so an import of thousands of rows asks the
database once per distinct value, not once per row."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from services.registry.consent import service as consent
from services.registry.identity import service as identity
from services.registry.reference import service as reference
from shared.errors import Invalid, NotFound

T = TypeVar("T")


class Problems:
    """What is wrong with a partner, gathered from each check so that one answer names
    every wrong field (``Invalid.every``) instead of only the first."""

    def __init__(self) -> None:
        self.found: list[Invalid] = []

    def add(self, problem: Invalid) -> None:
        self.found.append(problem)

    def check(self, step: Callable[..., T], *args: Any) -> T | None:
        """``step(*args)``; its ``Invalid`` is kept and ``None`` returned instead."""
        try:
            return step(*args)
        except Invalid as exc:
            self.add(exc)
            return None

    def raise_any(self) -> None:
        if self.found:
            raise Invalid.every(self.found)


def check_member(session: Session, organisation_id: str, user_id: str, field: str) -> None:
    try:
        identity.membership(session, user_id, organisation_id)
    except NotFound as exc:
        raise Invalid(field, "not a member of your organisation") from exc


@dataclass
class Checks:
    """Look-ups for one organisation's partners, each answer remembered."""

    session: Session
    organisation_id: str
    districts: dict[str, bool] = field(default_factory=dict)
    categories: dict[str, bool] = field(default_factory=dict)
    members: set[str] = field(default_factory=set)
    sharing: dict[str, str | None] = field(default_factory=dict)

    def district(self, code: str) -> bool:
        if code not in self.districts:
            self.districts[code] = reference.district_exists(
                self.session, self.organisation_id, code
            )
        return self.districts[code]

    def category(self, code: str) -> bool:
        if code not in self.categories:
            self.categories[code] = reference.category_exists(
                self.session, self.organisation_id, code
            )
        return self.categories[code]

    def reference(self, district: str | None, categories: list[str]) -> None:
        problems = Problems()
        if district is not None and not self.district(district):
            problems.add(Invalid("district_code", f"unknown district {district!r}"))
        for index, code in enumerate(categories):
            if not self.category(code):
                problems.add(Invalid(f"category_codes[{index}]", f"unknown category {code!r}"))
        problems.raise_any()

    def member(self, user_id: str, field: str) -> None:
        if user_id not in self.members:
            check_member(self.session, self.organisation_id, user_id, field)
            self.members.add(user_id)

    def sharing_problem(self, purpose: str) -> str | None:
        if purpose not in self.sharing:
            self.sharing[purpose] = consent.sharing_problem(
                self.session, self.organisation_id, purpose
            )
        return self.sharing[purpose]
