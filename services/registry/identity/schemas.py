"""Identity requests and responses."""

from datetime import datetime

from pydantic import BaseModel, ConfigDict, EmailStr, Field, field_validator

from services.registry.identity.models import OrganisationKind
from shared.auth import ROLES
from shared.local_time import DEFAULT_ZONE, Zone

PASSWORD_MIN = 10


def _check_roles(roles: list[str]) -> list[str]:
    unknown = sorted(set(roles) - set(ROLES))
    if unknown:
        raise ValueError(f"unknown role(s) {', '.join(unknown)}; roles are {', '.join(ROLES)}")
    if not roles:
        raise ValueError("at least one role is needed")
    return sorted(set(roles))


class OrganisationIn(BaseModel):
    name: str = Field(min_length=2, max_length=200)
    kind: OrganisationKind
    timezone: Zone = DEFAULT_ZONE


class OrganisationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    name: str
    kind: str
    timezone: str


class OrganisationPatch(BaseModel):
    name: str | None = Field(None, min_length=2, max_length=200)
    timezone: Zone | None = None


class UserIn(BaseModel):
    email: EmailStr
    display_name: str = Field(min_length=1, max_length=200)
    password: str = Field(min_length=PASSWORD_MIN, max_length=200)
    roles: list[str]
    locale: str = Field("fi", pattern="^(fi|en|sv)$")

    _roles = field_validator("roles")(_check_roles)


class RolesIn(BaseModel):
    roles: list[str]

    _roles = field_validator("roles")(_check_roles)


class UserOut(BaseModel):
    id: str
    email: str
    display_name: str
    locale: str
    roles: list[str]


class MeOut(BaseModel):
    user: UserOut
    organisation: OrganisationOut
    roles: list[str]
    memberships: list[OrganisationOut]


class PasswordChange(BaseModel):
    current_password: str
    new_password: str = Field(min_length=PASSWORD_MIN, max_length=200)


class ApiTokenIn(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    roles: list[str]

    @field_validator("roles")
    @classmethod
    def _integration_roles(cls, roles: list[str]) -> list[str]:
        roles = _check_roles(roles)
        if {"admin", "support_user"} & set(roles):
            raise ValueError("an integration cannot hold the admin or support_user role")
        return roles


class ApiTokenOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    name: str
    roles: list[str]
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class ApiTokenCreated(ApiTokenOut):
    token: str = Field(description="shown once; store it safely")
