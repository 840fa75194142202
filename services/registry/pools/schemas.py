"""Sharing-pool requests and responses."""

from datetime import datetime

from pydantic import BaseModel, Field


class PoolIn(BaseModel):
    name: str = Field(min_length=2, max_length=200)


class InvitationIn(BaseModel):
    organisation_id: str = Field(min_length=1, max_length=36)


class PoolMemberOut(BaseModel):
    organisation_id: str
    organisation_name: str
    status: str
    invited_at: datetime | None
    joined_at: datetime | None
    left_at: datetime | None


class PoolOut(BaseModel):
    id: str
    name: str
    created_by_organisation_id: str
    my_status: str
    members: list[PoolMemberOut]
