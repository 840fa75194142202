"""District-work requests and responses."""

from datetime import date, datetime

from pydantic import BaseModel, Field, field_validator

NOTE_MAX = 4000


class KnowledgeNoteIn(BaseModel):
    district_code: str = Field(min_length=1, max_length=16)
    question: str = Field(min_length=1, max_length=NOTE_MAX)
    answer: str = Field(min_length=1, max_length=NOTE_MAX)
    noted_on: date | None = Field(None, description="default today; not in the future")

    @field_validator("question", "answer")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value.strip()


class KnowledgeNoteOut(BaseModel):
    id: str
    district_code: str
    noted_on: date
    question: str
    answer: str
    staff_user_id: str
    created_at: datetime


class KnowledgeNotePage(BaseModel):
    items: list[KnowledgeNoteOut]
    page: int
    page_size: int
    total: int


class AssignmentIn(BaseModel):
    user_ids: list[str] = Field(max_length=100, description="the whole team for the district")


class Assignee(BaseModel):
    user_id: str
    display_name: str | None = Field(description="null when the user is no longer a member")


class DistrictCoverage(BaseModel):
    district_code: str
    district_name: str | None = Field(description="null when the district is no longer known")
    assignees: list[Assignee]
    partners: int = Field(description="active partners of my organisation in the district")
    pending_partners: int = Field(description="partners still waiting for `file` consent")
    notes: int = Field(description="knowledge notes about the district")


class CoverageSummary(BaseModel):
    partners_without_assignee: list[str] = Field(
        description="districts with partners but nobody assigned"
    )
    assigned_without_partners: list[str] = Field(
        description="districts with somebody assigned but no partners yet"
    )


class CoverageOut(BaseModel):
    districts: list[DistrictCoverage]
    summary: CoverageSummary
