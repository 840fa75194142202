"""The import report, and the options of an import batch."""

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from services.registry.consent.schemas import Method, ShareScope
from services.registry.partners.models import PartnerKind

ERROR: Literal["error"] = "error"
WARNING: Literal["warning"] = "warning"


class Issue(BaseModel):
    """One problem found in the file or in a row. ``code`` is stable, for translations;
    ``message`` is English."""

    code: str
    message: str
    severity: Literal["error", "warning"] = ERROR
    field: str | None = Field(None, description="the partner field: name, email, district…")
    column: str | None = Field(None, description="where in the file: a column or an HSDS path")
    related_rows: list[int] = Field(
        default_factory=list, description="other rows of the file this one concerns"
    )
    related_partner_ids: list[str] = Field(
        default_factory=list, description="existing partners this row concerns"
    )


class RowReport(BaseModel):
    row: int = Field(description="the row number as in the file (the header is row 1)")
    ref: str | None = Field(None, description="the record's own id in the file, for HSDS")
    status: Literal["ok", "error"]
    kind: str | None = None
    partner_id: str | None = Field(None, description="the partner written, after a commit")
    errors: list[Issue] = Field(default_factory=list)
    warnings: list[Issue] = Field(default_factory=list)


class ColumnReport(BaseModel):
    column: str
    field: str | None = Field(description="the partner field it was read into; null: ignored")


class ImportSummary(BaseModel):
    rows: int
    ok: int
    failed: int
    with_warnings: int
    written: int


class ImportReport(BaseModel):
    format: str = Field(description="csv, xlsx, hsds-json or hsds-tables")
    dry_run: bool
    committed: bool = Field(description="true only when every row was written")
    status: Literal["ok", "failed"]
    encoding: str | None = None
    delimiter: str | None = None
    columns: list[ColumnReport] = Field(default_factory=list)
    file_issues: list[Issue] = Field(default_factory=list)
    rows: list[RowReport] = Field(default_factory=list)
    summary: ImportSummary


class ImportOptions(BaseModel):
    """What the batch says for every row: the default kind and how consent was obtained."""

    model_config = ConfigDict(extra="forbid")

    dry_run: bool = True
    kind: PartnerKind | None = Field(None, description="for rows without a kind column")
    consents: list[str] = Field(
        default_factory=list, description="purposes granted for every row, e.g. file, team"
    )
    consent_method: Method | None = None
    consent_information_version: str | None = Field(None, min_length=1, max_length=32)
    consent_obtained_on: date | None = None
    consent_scope: ShareScope = ShareScope.basic
