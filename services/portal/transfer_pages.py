"""The import wizard (upload a CSV or XLSX file, read the dry run's report row by row,
confirm to write every row or none, see the result) and the export downloads.

Between the dry run and the commit the file travels back to the browser inside the report
page's confirm form (base64, page not stored), so the portal keeps no personal data on disk
or in memory between requests; the registry checks every row again when committing."""

import base64
import binascii
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.datastructures import FormData, UploadFile

from services.portal.deps import Api, ApiDep, TemplatesDep, member_of
from services.portal.i18n import N_, request_language
from services.portal.labels import CONSENT_METHODS, PARTNER_KINDS, SIMPLE_PURPOSES
from services.portal.navigation import sections_for
from services.portal.partner_form import purpose_id
from services.portal.partner_pages import ListFilters, active_pools, download, purpose_label
from services.portal.registry_client import Me, Rejected
from services.portal.security import csrf_valid
from services.portal.templating import today

router = APIRouter(include_in_schema=False)

StaffDep = Annotated[Me, Depends(member_of("partners"))]

IMPORT_MAX_BYTES = 5 * 1024 * 1024
# The confirm form carries the file as base64: a third larger than the file.
FORM_PART_BYTES = IMPORT_MAX_BYTES * 4 // 3 + 4096
ACCEPTED = {
    ".csv": "text/csv",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
REPORT_ROWS_SHOWN = 1000


# -- the registry's report ---------------------------------------------------------------


class Report(BaseModel):
    model_config = ConfigDict(extra="ignore")


class Issue(Report):
    code: str
    message: str
    severity: str = "error"
    field: str | None = None
    column: str | None = None
    related_rows: list[int] = Field(default_factory=list)
    related_partner_ids: list[str] = Field(default_factory=list)


class RowReport(Report):
    row: int
    status: str
    kind: str | None = None
    partner_id: str | None = None
    errors: list[Issue] = Field(default_factory=list)
    warnings: list[Issue] = Field(default_factory=list)


class ColumnReport(Report):
    column: str
    field: str | None = None


class Summary(Report):
    rows: int = 0
    ok: int = 0
    failed: int = 0
    with_warnings: int = 0
    written: int = 0


class ImportReport(Report):
    format: str = ""
    dry_run: bool = True
    committed: bool = False
    status: str = "failed"
    columns: list[ColumnReport] = Field(default_factory=list)
    file_issues: list[Issue] = Field(default_factory=list)
    rows: list[RowReport] = Field(default_factory=list)
    summary: Summary = Summary()


# Plain words for the report's stable codes; anything else shows the registry's message.
ISSUE_MESSAGES = {
    "required": N_("This is required but empty."),
    "invalid_email": N_("This is not an e-mail address in the correct form."),
    "invalid_phone": N_("This is not a phone number."),
    "invalid_date": N_("This is not a date. Write dates like 31.12.2026."),
    "unknown_district": N_("There is no district with this postal code."),
    "unknown_category": N_("There is no such category."),
    "duplicate_in_file": N_("The same partner may be on another row of the file."),
    "duplicate_existing": N_("The same partner may already be in your resource file."),
    "storage_failed": N_("Saving this row did not succeed."),
    "no_rows": N_("The file has no rows of partners."),
    "file_empty": N_("The file is empty."),
    "file_unreadable": N_(
        "The file cannot be read. Save it as CSV or Excel (.xlsx) and try again."
    ),
    "unsupported_format": N_("Only CSV and Excel (.xlsx) files can be imported."),
    "unknown_column": N_("This column is not known, so it was left out."),
    "duplicate_column": N_("Two columns have the same name; only the first one is used."),
    "encoding_guessed": N_(
        "The file's character set was guessed; check that letters like ä and ö look right."
    ),
    "other_sheets_ignored": N_("Only the first sheet of the workbook was read."),
    "too_many_rows": N_("The file has too many rows for one import. Split it into smaller files."),
}
FIELD_LABELS = {
    "name": N_("Name"),
    "kind": N_("Kind"),
    "email": N_("E-mail address"),
    "phone": N_("Phone"),
    "address": N_("Address"),
    "website": N_("Website"),
    "district": N_("District"),
    "categories": N_("Categories"),
    "tie_strength": N_("Tie strength"),
    "target_group": N_("Target group"),
    "facilities": N_("Facilities"),
    "offers": N_("What they offer"),
    "contact_person": N_("Contact person"),
    "responsible_person": N_("Responsible person"),
    "resources_available": N_("Resources available"),
    "resources_needed": N_("Resources needed"),
    "skills": N_("Skills"),
    "information_needed": N_("Information they need"),
    "birthday": N_("Birthday"),
    "notes": N_("Notes"),
    "consent_date": N_("Day the consent was given"),
    "consents": N_("Consents"),
    "row": N_("Row"),
}


def issue_text(issue: Issue, gettext: Any) -> str:
    known = ISSUE_MESSAGES.get(issue.code)
    text = str(gettext(known)) if known else issue.message
    if issue.code == "duplicate_in_file" and issue.related_rows:
        text = str(gettext("The same partner may also be on rows %(rows)s.")) % {
            "rows": ", ".join(str(r) for r in issue.related_rows)
        }
    return text


def field_text(issue: Issue, gettext: Any) -> str:
    if issue.field and issue.field in FIELD_LABELS:
        return str(gettext(FIELD_LABELS[issue.field]))
    if issue.field and issue.field.startswith("consent_"):
        return str(gettext("Consents"))
    return issue.field or ""


# -- the options of an import --------------------------------------------------------------


@dataclass
class ImportOptions:
    kind: str = ""
    purposes: list[str] = field(default_factory=list)
    scope: str = "basic"
    method: str = ""
    information_version: str = ""
    obtained_on: str = ""

    @classmethod
    def from_form(cls, form: FormData, allowed_sharing: list[str]) -> "ImportOptions":
        ticked = {v for v in form.getlist("purpose") if isinstance(v, str)}
        return cls(
            kind=_text(form, "kind") if _text(form, "kind") in PARTNER_KINDS else "",
            purposes=[p for p in [*SIMPLE_PURPOSES, *allowed_sharing] if p in ticked],
            scope=_text(form, "consent_scope")
            if _text(form, "consent_scope") == "contact"
            else "basic",
            method=_text(form, "consent_method")
            if _text(form, "consent_method") in CONSENT_METHODS
            else "",
            information_version=_text(form, "information_version"),
            obtained_on=_text(form, "obtained_on"),
        )

    def registry_fields(self, dry_run: bool) -> dict[str, str]:
        fields = {
            "dry_run": "true" if dry_run else "false",
            "kind": self.kind,
            "consents": ",".join(self.purposes),
            "consent_method": self.method,
            "consent_information_version": self.information_version,
            "consent_obtained_on": self.obtained_on,
            "consent_scope": self.scope,
        }
        return {k: v for k, v in fields.items() if v}

    def hidden_fields(self) -> list[tuple[str, str]]:
        """The options again as the confirm form's hidden fields."""
        pairs = [("kind", self.kind), ("consent_scope", self.scope)]
        pairs += [("purpose", p) for p in self.purposes]
        pairs += [
            ("consent_method", self.method),
            ("information_version", self.information_version),
            ("obtained_on", self.obtained_on),
        ]
        return [(k, v) for k, v in pairs if v]


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


OPTION_FIELDS = {
    "kind": "kind",
    "consent_method": "consent_method",
    "consent_information_version": "information_version",
    "consent_obtained_on": "obtained_on",
    "consent_scope": "consent_scope",
    "dry_run": "file",
    "file": "file",
    "mapping": "file",
}


def _option_error(exc: Rejected, gettext: Any) -> tuple[str, str]:
    """Which upload form field a refused import belongs to, and what to say there."""
    api_field = exc.field or "file"
    if api_field.startswith("consents"):
        return purpose_id("file"), str(gettext("Check the consents chosen: %(detail)s")) % {
            "detail": exc.message
        }
    target = OPTION_FIELDS.get(api_field, "file")
    messages = {
        "consent_method": N_("Choose how the consents in the file were given."),
        "information_version": N_(
            "Enter the version of the information text the partners were given."
        ),
        "obtained_on": N_("Enter the date as day, month and year, not in the future."),
        "kind": N_("Choose the kind of partners in the file."),
    }
    if exc.status == 413:
        return "file", str(gettext("The file is too large. Split it into smaller files."))
    if exc.status == 415:
        return "file", str(gettext("Only CSV and Excel (.xlsx) files can be imported."))
    if target in messages:
        return target, str(gettext(messages[target]))
    return "file", str(gettext("The file could not be imported: %(detail)s")) % {
        "detail": exc.message
    }


# -- pages -------------------------------------------------------------------------------


def page_context(me: Me, **values: Any) -> dict[str, Any]:
    return {"me": me, "sections": sections_for(me.roles), "current_path": "/partners", **values}


async def _upload_page(
    request: Request,
    templates: TemplatesDep,
    api: Api,
    me: Me,
    options: ImportOptions | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    gettext = templates.gettext(request).gettext
    pools = await active_pools(api)
    grantable = [*SIMPLE_PURPOSES, *(f"pool:{p.id}" for p in pools)]
    pool_names = {p.id: p.name for p in pools}
    return templates.render(
        request,
        "import/upload.html",
        page_context(
            me,
            options=options or ImportOptions(obtained_on=today().isoformat()),
            grantable=grantable,
            purpose_labels={p: purpose_label(p, gettext, pool_names, {}) for p in grantable},
            has_pools=bool(pools),
            purpose_id=purpose_id,
            errors=errors or {},
            max_megabytes=IMPORT_MAX_BYTES // (1024 * 1024),
            export_language=request_language(request),
        ),
        private=True,
        status_code=status_code,
    )


@router.get("/partners/import")
async def import_start(
    request: Request, templates: TemplatesDep, api: ApiDep, me: StaffDep
) -> Response:
    return await _upload_page(request, templates, api, me)


@dataclass
class ImportFile:
    name: str
    content_type: str
    content: bytes


async def _uploaded(upload: Any, gettext: Any) -> tuple[ImportFile | None, str]:
    if not isinstance(upload, UploadFile) or not upload.filename:
        return None, str(gettext("Choose the file to import."))
    name = upload.filename.rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    extension = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in ACCEPTED:
        return None, str(gettext("Only CSV and Excel (.xlsx) files can be imported."))
    content = await upload.read(IMPORT_MAX_BYTES + 1)
    if len(content) > IMPORT_MAX_BYTES:
        return None, str(
            gettext("The file is larger than %(size)d MB. Split it into smaller files.")
        ) % {"size": IMPORT_MAX_BYTES // (1024 * 1024)}
    if not content:
        return None, str(gettext("The file is empty."))
    return ImportFile(name, ACCEPTED[extension], content), ""


async def _send_import(
    api: Api, upload: ImportFile, options: ImportOptions, dry_run: bool
) -> tuple[ImportReport, int]:
    """The registry's report on the file, and the answer's status; a refusal without a
    report (the options were wrong) is raised."""
    try:
        answer = await api.send(
            "POST",
            "/imports/partners",
            files={"file": (upload.name, upload.content, upload.content_type)},
            data=options.registry_fields(dry_run),
            timeout=api.request.app.state.settings.import_timeout_seconds,
        )
    except Rejected as exc:
        body = exc.body if isinstance(exc.body, dict) else {}
        if "report" not in body:
            raise
        try:
            return ImportReport.model_validate(body["report"]), exc.status
        except ValidationError:
            raise exc from None
    try:
        return ImportReport.model_validate_json(answer.content), answer.status_code
    except ValidationError as exc:
        raise Rejected(502, "bad_report", "the import report could not be read", None) from exc


def _report_page(
    request: Request,
    templates: TemplatesDep,
    me: Me,
    report: ImportReport,
    upload: ImportFile,
    options: ImportOptions,
    status_code: int = 200,
) -> Response:
    gettext = templates.gettext(request).gettext
    problem_rows = [r for r in report.rows if r.errors or r.warnings]
    ok_rows = [r for r in report.rows if not (r.errors or r.warnings)]
    file_errors = [i for i in report.file_issues if i.severity == "error"]
    can_commit = report.status == "ok" and not file_errors and report.summary.rows > 0
    return templates.render(
        request,
        "import/report.html",
        page_context(
            me,
            report=report,
            rows=(problem_rows + ok_rows)[:REPORT_ROWS_SHOWN],
            rows_left_out=max(0, len(report.rows) - REPORT_ROWS_SHOWN),
            file_errors=file_errors,
            file_warnings=[i for i in report.file_issues if i.severity != "error"],
            issue_text=lambda issue: issue_text(issue, gettext),
            field_text=lambda issue: field_text(issue, gettext),
            field_labels=FIELD_LABELS,
            can_commit=can_commit,
            filename=upload.name,
            file_data=base64.b64encode(upload.content).decode("ascii") if can_commit else "",
            hidden_options=options.hidden_fields(),
        ),
        private=True,
        status_code=status_code,
    )


@router.post("/partners/import")
async def import_check(
    request: Request, templates: TemplatesDep, api: ApiDep, me: StaffDep
) -> Response:
    gettext = templates.gettext(request).gettext
    form = await request.form(max_files=1, max_fields=50)
    pools = await active_pools(api)
    options = ImportOptions.from_form(form, [f"pool:{p.id}" for p in pools])
    if not csrf_valid(request, _text(form, "csrf_token")):
        errors = {"file": str(gettext("The page had expired. Choose the file again."))}
        return await _upload_page(request, templates, api, me, options, errors, 400)
    upload, problem = await _uploaded(form.get("file"), gettext)
    await form.close()
    if upload is None:
        return await _upload_page(request, templates, api, me, options, {"file": problem}, 422)
    try:
        report, status = await _send_import(api, upload, options, dry_run=True)
    except Rejected as exc:
        if exc.status in (403, 404):
            raise
        target, message = _option_error(exc, gettext)
        return await _upload_page(request, templates, api, me, options, {target: message}, 422)
    return _report_page(
        request, templates, me, report, upload, options, 200 if status < 400 else 422
    )


@router.post("/partners/import/commit")
async def import_commit(
    request: Request, templates: TemplatesDep, api: ApiDep, me: StaffDep
) -> Response:
    gettext = templates.gettext(request).gettext
    form = await request.form(max_files=0, max_fields=50, max_part_size=FORM_PART_BYTES)
    pools = await active_pools(api)
    options = ImportOptions.from_form(form, [f"pool:{p.id}" for p in pools])
    name = _text(form, "filename")
    extension = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    try:
        content = base64.b64decode(_text(form, "file_data"), validate=True)
    except (binascii.Error, ValueError):
        content = b""
    if (
        not csrf_valid(request, _text(form, "csrf_token"))
        or not content
        or extension not in ACCEPTED
    ):
        errors = {"file": str(gettext("The page had expired. Choose the file again."))}
        return await _upload_page(request, templates, api, me, options, errors, 400)
    upload = ImportFile(name, ACCEPTED[extension], content)
    try:
        report, _ = await _send_import(api, upload, options, dry_run=False)
    except Rejected as exc:
        if exc.status in (403, 404):
            raise
        target, message = _option_error(exc, gettext)
        return await _upload_page(request, templates, api, me, options, {target: message}, 422)
    if not report.committed:
        return _report_page(request, templates, me, report, upload, options, 422)
    # Redirected, so that reloading the result cannot import the file a second time.
    return RedirectResponse(f"/partners/import/done?written={report.summary.written}", 303)


@router.get("/partners/import/done")
async def import_done(
    request: Request, templates: TemplatesDep, me: StaffDep, written: int = 0
) -> Response:
    return templates.render(
        request, "import/result.html", page_context(me, written=max(0, written)), private=True
    )


# -- exports -----------------------------------------------------------------------------


def _export_params(request: Request) -> dict[str, Any]:
    """The partner list's filters, in the export's own terms (own partners by default)."""
    query = request.query_params
    filters = ListFilters(
        name=query.get("name", ""),
        text=query.get("text", ""),
        district=query.get("district", ""),
        neighbours=bool(query.get("neighbours")),
        category=query.get("category", ""),
        kind=query.get("kind", "") if query.get("kind", "") in PARTNER_KINDS else "",
        tie_strength=query.get("tie_strength", "")
        if query.get("tie_strength") in ("strong", "weak")
        else "",
        months=query.get("months", "") if query.get("months", "").isdigit() else "",
        scope=query.get("scope", "own")
        if query.get("scope") in ("all", "own", "shared")
        else "own",
        status=query.get("status", "active")
        if query.get("status") in ("active", "inactive", "pending", "any")
        else "active",
    )
    params = filters.api_params()
    for paging in ("page", "page_size"):
        params.pop(paging, None)
    return params


@router.get("/partners/export/partners.csv")
async def export_csv(request: Request, api: ApiDep, me: StaffDep) -> Response:
    params = {**_export_params(request), "lang": request_language(request)}
    return await download(api, "/exports/partners.csv", params)


@router.get("/partners/export/partners.xlsx")
async def export_xlsx(request: Request, api: ApiDep, me: StaffDep) -> Response:
    params = {**_export_params(request), "lang": request_language(request)}
    return await download(api, "/exports/partners.xlsx", params)


@router.get("/partners/export/hsds.json")
async def export_hsds(request: Request, api: ApiDep, me: StaffDep) -> Response:
    response = await download(api, "/exports/hsds.json", _export_params(request))
    response.headers["Content-Disposition"] = 'attachment; filename="hsds.json"'
    return response


@router.get("/partners/{partner_id}/vcard")
async def partner_vcard(api: ApiDep, me: StaffDep, partner_id: str) -> Response:
    return await download(api, f"/partners/{partner_id}/vcard")
