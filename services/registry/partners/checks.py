"""What a partner's values are checked against before anything is written: the reference
data (districts, categories), the organisation's members and the sharing targets of its
consent. One ``Checks`` serves a whole batch, so an import of thousands of rows asks the
database once per distinct value, not once per row."""

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from services.registry.consent import service as consent
from services.registry.identity import service as identity
from services.registry.reference import service as reference
from shared.errors import Invalid, NotFound


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
        if district is not None and not self.district(district):
            raise Invalid("district_code", f"unknown district {district!r}")
        for index, code in enumerate(categories):
            if not self.category(code):
                raise Invalid(f"category_codes[{index}]", f"unknown category {code!r}")

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
