"""Planning requests and responses. Every figure here is a count of many: a suppressed
one is null with its ``*_suppressed`` flag set."""

from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, Field


class OrganisationRef(BaseModel):
    id: str
    name: str


class SharesOut(BaseModel):
    shares_with: list[OrganisationRef] = Field(
        description="municipalities my organisation's figures are counted into"
    )
    shared_with_us: list[OrganisationRef] = Field(
        description="organisations whose figures are counted into mine (for a municipality)"
    )


class ScopeOut(BaseModel):
    municipality: OrganisationRef = Field(description="the planner's own organisation")
    organisations: list[OrganisationRef] = Field(
        description="every organisation counted: the planner's own and those sharing with it"
    )
    default_k: int
    neighbour_weight: float
    demo_reference: bool = Field(
        False,
        description="the default districts and categories are Kortisto's made-up demo set "
        "(the real reference data was not at hand when the registry was set up)",
    )


class Figures(BaseModel):
    """Supply (partners with `statistics` consent) and demand (open wishes) of one entry."""

    supply: int | None
    supply_suppressed: bool
    demand: int | None
    demand_suppressed: bool
    population: int | None = Field(description="inhabitants, where known")
    supply_per_1000: float | None
    demand_per_1000: float | None


class CellOut(Figures):
    district_code: str
    category_code: str


class DistrictFiguresOut(Figures):
    code: str
    name: str


class CategoryFiguresOut(Figures):
    code: str
    label: str


class CoverageOut(BaseModel):
    municipality: OrganisationRef
    organisations: int = Field(description="how many organisations are counted")
    k: int = Field(description="figures below k are suppressed, and enough others with them")
    computed_at: datetime
    cells: list[CellOut] = Field(description="district × category; entries not listed are 0")
    districts: list[DistrictFiguresOut] = Field(description="each district over all categories")
    categories: list[CategoryFiguresOut] = Field(description="each category over all districts")
    total: Figures


class GapLevel(StrEnum):
    cell = "cell"
    district = "district"
    category = "category"


class GapOut(BaseModel):
    """Unmet demand: open wishes minus the supply that covers them, where a partner counts
    fully in its own district and with the neighbour weight in each neighbouring one."""

    district_code: str | None
    district_name: str | None
    category_code: str | None
    category_label: str | None
    demand: int
    supply: int | None = Field(description="in the district itself; null when suppressed")
    neighbour_supply: int = Field(description="published supply of the neighbouring districts")
    covered: float
    unmet: float
    unmet_per_1000: float | None
    partial: bool = Field(
        description="some supply counted here is suppressed, so it is left out: unmet demand "
        "is then at most this"
    )
    population: int | None


class GapsOut(BaseModel):
    municipality: OrganisationRef
    k: int
    level: GapLevel
    neighbour_weight: float
    computed_at: datetime
    gaps: list[GapOut] = Field(description="largest unmet demand first; only where some is")


class TrendPoint(BaseModel):
    month: date
    taken_at: datetime
    organisations: int
    supply: int | None
    supply_suppressed: bool
    demand: int | None
    demand_suppressed: bool
    supply_change: int | None = Field(description="from the month before, when both are shown")
    demand_change: int | None


class TrendsOut(BaseModel):
    municipality: OrganisationRef
    district_code: str | None
    category_code: str | None
    k: int | None = Field(description="the snapshots' k")
    points: list[TrendPoint]


class Measure(StrEnum):
    supply = "supply"
    demand = "demand"
    supply_per_1000 = "supply_per_1000"
    demand_per_1000 = "demand_per_1000"
    unmet = "unmet"
    unmet_per_1000 = "unmet_per_1000"
