"""Routes for imports (CSV, XLSX, HSDS) and exports (CSV, XLSX, HSDS, vCard)."""

from dataclasses import replace
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response
from fastapi.responses import JSONResponse, StreamingResponse

from services.registry.partners.api import FiltersDep
from services.registry.partners.search import PartnerQuery
from services.registry.runtime import RegistryDep
from services.registry.transfer import exports, hsds, imports, vcard
from services.registry.transfer.schemas import ImportReport
from services.registry.transfer.upload import UploadDep
from shared.auth import Principal, require_roles
from shared.deps import SessionDep
from shared.errors import error_body

router = APIRouter(tags=["imports and exports"])

TeamDep = Annotated[Principal, Depends(require_roles("admin", "staff", "coordinator"))]
Lang = Annotated[str, Query(pattern="^(fi|en)$", description="language of headers and words")]
DryRun = Annotated[
    bool | None,
    Query(description="true (the default): check and report only; false: write every row or none"),
]

_FORM_FIELDS: dict[str, Any] = {
    "dry_run": {"type": "boolean", "default": True},
    "kind": {"type": "string", "enum": ["organisation", "citizen"]},
    "consents": {"type": "string", "description": "purposes for every row: file,team,…"},
    "consent_method": {"type": "string", "enum": ["written", "verbal", "electronic"]},
    "consent_information_version": {"type": "string"},
    "consent_obtained_on": {"type": "string", "format": "date"},
    "consent_scope": {"type": "string", "enum": ["basic", "contact"]},
}


def _upload_body(files: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    schema = {
        "type": "object",
        "properties": {**files, **extra, **_FORM_FIELDS},
        "required": ["file"],
    }
    return {
        "requestBody": {
            "required": True,
            "content": {"multipart/form-data": {"schema": schema}},
        }
    }


_REPORT_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"model": ImportReport, "description": "the dry run's report"},
    201: {"model": ImportReport, "description": "every row written"},
    413: {"description": "the file is larger than the import limit"},
    422: {"description": "the file cannot be read, or a row failed: nothing was written; "
          "the body has `error` and `report`"},
}  # fmt: skip


def _answer(report: ImportReport) -> JSONResponse:
    body = report.model_dump(mode="json")
    file_errors = [i for i in report.file_issues if i.severity == "error"]
    if file_errors:
        first = file_errors[0]
        error = error_body(first.code, first.message, first.field)
        return JSONResponse({**error, "report": body}, 422)
    if report.committed:
        return JSONResponse(body, 201)
    if report.dry_run:
        return JSONResponse(body, 200)
    summary = report.summary
    message = f"{summary.failed} of {summary.rows} rows have errors; nothing was written"
    return JSONResponse({**error_body("import_failed", message), "report": body}, 422)


@router.post(
    "/imports/partners",
    summary="Import partners from a CSV or XLSX file (dry run by default)",
    response_model=ImportReport,
    responses=_REPORT_RESPONSES,
    openapi_extra=_upload_body(
        {"file": {"type": "string", "format": "binary"}},
        {"mapping": {"type": "string", "description": 'JSON: {"file column": "field"}'}},
    ),
)
def import_partners(
    principal: TeamDep,
    upload: UploadDep,
    session: SessionDep,
    registry: RegistryDep,
    dry_run: DryRun = None,
) -> JSONResponse:
    options = imports.options_from_form(upload.fields, dry_run)
    report = imports.import_table(session, registry, principal, upload, options, registry.settings)
    return _answer(report)


@router.post(
    "/imports/hsds",
    summary="Import HSDS 3.0 organizations and their services as organisation partners",
    response_model=ImportReport,
    responses=_REPORT_RESPONSES,
    openapi_extra=_upload_body(
        {
            "file": {
                "type": "array",
                "items": {"type": "string", "format": "binary"},
                "description": "one JSON file, a zip of tables, or the tables (*.json, *.csv)",
            }
        },
        {},
    ),
)
def import_hsds(
    principal: TeamDep,
    upload: UploadDep,
    session: SessionDep,
    registry: RegistryDep,
    dry_run: DryRun = None,
) -> JSONResponse:
    options = imports.options_from_form(upload.fields, dry_run)
    report = hsds.import_hsds(session, registry, principal, upload, options, registry.settings)
    return _answer(report)


def export_query(
    filters: FiltersDep,
    scope: Annotated[
        str,
        Query(
            pattern="^(all|own|shared)$",
            description="own (default); all or shared add partners other organisations share",
        ),
    ] = "own",
) -> PartnerQuery:
    """The list's filters; exports cover the caller's own partners unless asked otherwise."""
    return replace(filters, scope=scope)


QueryDep = Annotated[PartnerQuery, Depends(export_query)]


def _attachment(filename: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{filename}"'}


@router.get(
    "/exports/partners.csv",
    summary="Partners as CSV (UTF-8 with BOM; ';' for fi, ',' for en)",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/csv": {}}}},
)
def export_csv(
    principal: TeamDep, registry: RegistryDep, query: QueryDep, lang: Lang = "fi"
) -> StreamingResponse:
    chunks = exports.csv_chunks(registry, principal, query, lang)
    return StreamingResponse(
        chunks, media_type="text/csv; charset=utf-8", headers=_attachment("partners.csv")
    )


@router.get(
    "/exports/partners.xlsx",
    summary="Partners as an Excel workbook",
    response_class=Response,
    responses={200: {"content": {exports.XLSX_MEDIA_TYPE: {}}}},
)
def export_xlsx(
    principal: TeamDep,
    session: SessionDep,
    registry: RegistryDep,
    query: QueryDep,
    lang: Lang = "fi",
) -> Response:
    content = exports.xlsx_file(session, registry, principal, query, lang)
    return Response(
        content, media_type=exports.XLSX_MEDIA_TYPE, headers=_attachment("partners.xlsx")
    )


@router.get(
    "/exports/hsds.json",
    summary="Organisation partners as HSDS 3.0 organizations with their services",
)
def export_hsds(
    principal: TeamDep, session: SessionDep, registry: RegistryDep, query: QueryDep
) -> dict[str, Any]:
    return hsds.export(session, registry, principal, query)


@router.get(
    "/partners/{partner_id}/vcard",
    summary="A partner as a vCard 4.0, with the fields you may see",
    response_class=Response,
    responses={200: {"content": {"text/vcard": {}}}},
)
def partner_vcard(
    partner_id: str, principal: TeamDep, session: SessionDep, registry: RegistryDep
) -> Response:
    text, filename = vcard.partner_vcard(session, registry, principal, partner_id)
    return Response(text, media_type="text/vcard; charset=utf-8", headers=_attachment(filename))
