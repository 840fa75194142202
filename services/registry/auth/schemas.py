"""Login, refresh, logout and API-token exchange."""

from pydantic import BaseModel, EmailStr, Field


class LoginIn(BaseModel):
    email: EmailStr
    password: str = Field(min_length=1, max_length=200)
    organisation_id: str | None = Field(
        None, description="which of the user's organisations to act for; default the first"
    )


class RefreshIn(BaseModel):
    refresh_token: str = Field(min_length=10, max_length=200)


class ApiTokenExchangeIn(BaseModel):
    api_token: str = Field(min_length=10, max_length=200)


class TokenPair(BaseModel):
    access_token: str
    refresh_token: str | None = None
    token_type: str = "bearer"
    expires_in: int
