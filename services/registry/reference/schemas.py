"""Reference-data requests and responses."""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

Language = Literal["fi", "sv", "en"]
CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$"
# Partners keep their district code in 16 characters.
DISTRICT_CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,15}$"


class DistrictOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str
    name_fi: str
    name_sv: str | None
    population: int | None
    centre_lat: float
    centre_lon: float
    centre_x: float = Field(description="EPSG:3067 easting, metres")
    centre_y: float = Field(description="EPSG:3067 northing, metres")
    organisation_id: str | None = Field(description="null for the shared default districts")
    source: str


class DistrictDetail(DistrictOut):
    neighbours: list[str] = Field(description="codes of the districts sharing a border")


class DistrictImportOptions(BaseModel):
    """How to read an uploaded FeatureCollection: which feature properties hold what, and
    its coordinate system."""

    code_property: str = Field("code", min_length=1, description="property with the code")
    name_property: str = Field("name", min_length=1, description="property with the name")
    name_sv_property: str | None = Field(None, description="property with the Swedish name")
    population_property: str | None = Field(None, description="property with the population")
    crs: Literal["EPSG:4326", "EPSG:3067"] | None = Field(
        None, description="coordinate system; default: the file's `crs` member, else WGS84"
    )
    source: str = Field("import", min_length=1, max_length=200, description="where it came from")


class DistrictImportOut(BaseModel):
    created: list[str]
    updated: list[str]
    districts: int = Field(description="the organisation's own districts after the import")
    neighbour_pairs: int = Field(description="pairs of own districts sharing a border")


class CategoryLabels(BaseModel):
    fi: str | None = Field(None, min_length=1, max_length=300)
    sv: str | None = Field(None, min_length=1, max_length=300)
    en: str | None = Field(None, min_length=1, max_length=300)


class CategoryIn(BaseModel):
    code: str = Field(pattern=CODE_PATTERN)
    parent_code: str | None = Field(None, max_length=32)
    labels: CategoryLabels

    @field_validator("labels")
    @classmethod
    def _some_label(cls, labels: CategoryLabels) -> CategoryLabels:
        if not any((labels.fi, labels.sv, labels.en)):
            raise ValueError("at least one of fi, sv, en is needed")
        return labels


class CategoryOut(BaseModel):
    code: str
    parent_code: str | None
    label: str = Field(description="in the requested language, else the first one present")
    labels: CategoryLabels
    organisation_id: str | None = Field(description="null for the shared default categories")
    source: str


class CategoryDetail(CategoryOut):
    children: list[CategoryOut]
