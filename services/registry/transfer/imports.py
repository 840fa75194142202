"""Importing partners: each record of a file becomes a draft partner, is checked with the
card validators and the reference data, and the sound ones are created a chunk at a time
(``partners.creation``) inside one transaction. A dry run, or a commit in which any row
fails, rolls the whole transaction back, so an import writes every row or nothing."""

from collections.abc import Mapping
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pydantic import ValidationError
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from services.registry.consent import service as consent
from services.registry.consent.schemas import SHARING, ConsentIn, check_purpose
from services.registry.partners import creation
from services.registry.partners import service as partners
from services.registry.partners.checks import Checks
from services.registry.partners.schemas import PartnerIn
from services.registry.runtime import Registry
from services.registry.settings import RegistrySettings
from services.registry.transfer import mapping, tabular
from services.registry.transfer.mapping import ORG, BadValue
from services.registry.transfer.schemas import (
    WARNING,
    ImportOptions,
    ImportReport,
    ImportSummary,
    Issue,
    RowReport,
)
from services.registry.transfer.upload import Upload
from shared.auth import Principal
from shared.errors import DomainError, Invalid

# The card fields only one kind of partner has (the columns say which).
ORG_CARD = tuple(c.key for c in mapping.COLUMNS if c.kinds == (ORG,))
CITIZEN_CARD = tuple(c.key for c in mapping.COLUMNS if c.kinds == (mapping.CITIZEN,))
CONTACT = ("email", "phone", "address", "website")
LISTS = {"categories", "offers", "resources_available", "resources_needed", "skills"}
DATES = {"birthday", "consent_date"}
CODES_BY_FIELD = {"email": "invalid_email", "phone": "invalid_phone", "birthday": "invalid_date"}


@dataclass
class Draft:
    """One record of the file on its way to becoming a partner."""

    row: int
    ref: str | None = None
    kind: str | None = None
    values: dict[str, Any] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    partner: PartnerIn | None = None
    partner_id: str | None = None

    def error(self, key: str, code: str, message: str) -> None:
        if any(e.field == key for e in self.errors):
            return  # the first problem of a field is the one to fix
        self.errors.append(
            Issue(code=code, field=key, column=self.sources.get(key), message=message)
        )

    def warn(self, key: str | None, code: str, message: str, **extra: Any) -> None:
        self.warnings.append(
            Issue(
                code=code,
                severity=WARNING,
                field=key,
                column=self.sources.get(key) if key else None,
                message=message,
                **extra,
            )
        )


# --- options -------------------------------------------------------------------------------


def options_from_form(fields: Mapping[str, str], dry_run: bool | None) -> ImportOptions:
    """The batch options from the upload's form fields; ``dry_run`` in the query wins."""
    data: dict[str, Any] = {}
    for name in (
        "kind",
        "consent_method",
        "consent_information_version",
        "consent_obtained_on",
        "consent_scope",
    ):
        if fields.get(name, "").strip():
            data[name] = fields[name].strip()
    purposes = [p.strip() for p in fields.get("consents", "").split(",") if p.strip()]
    for index, purpose in enumerate(purposes):
        try:
            check_purpose(purpose)
        except ValueError as exc:
            raise Invalid(f"consents[{index}]", str(exc)) from exc
    data["consents"] = purposes
    if dry_run is None and fields.get("dry_run", "").strip():
        try:
            dry_run = mapping.parse_yes_no(fields["dry_run"])
        except BadValue as exc:
            raise Invalid("dry_run", "dry_run must be true or false") from exc
    data["dry_run"] = True if dry_run is None else dry_run
    try:
        return ImportOptions.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise Invalid(where, first["msg"]) from exc


def require_consent_details(options: ImportOptions, consent_fields: bool) -> None:
    if not (consent_fields or options.consents):
        return
    if options.consent_method is None:
        raise Invalid(
            "consent_method",
            "the file records consent: say how it was obtained (written, verbal or electronic)",
        )
    if options.consent_information_version is None:
        raise Invalid(
            "consent_information_version",
            "the file records consent: give the version of the information text shown",
        )


# --- CSV and XLSX --------------------------------------------------------------------------


def import_table(
    session: Session,
    registry: Registry,
    principal: Principal,
    upload: Upload,
    options: ImportOptions,
    settings: RegistrySettings,
) -> ImportReport:
    if len(upload.files) != 1:
        raise Invalid("file", "upload exactly one file (CSV or XLSX)")
    try:
        raw_mapping = mapping.parse_mapping(upload.fields.get("mapping"))
    except ValueError as exc:
        raise Invalid("mapping", str(exc)) from exc
    uploaded = upload.files[0]
    try:
        table = tabular.read_table(
            uploaded.filename,
            uploaded.file,
            max_rows=settings.import_max_rows,
            max_columns=settings.import_max_columns,
        )
    except tabular.FileProblem as problem:
        fmt = "xlsx" if uploaded.filename.lower().endswith(".xlsx") else "csv"
        issue = Issue(code=problem.code, field=problem.field, message=problem.message)
        return finish(fmt, options, [], [issue], written=False)
    columns = mapping.resolve_columns(
        table.headers, raw_mapping, kind_given=options.kind is not None
    )
    file_issues = [*columns.errors, *table.issues, *columns.warnings]
    if not table.rows and not columns.errors:
        file_issues.insert(
            0, Issue(code="no_rows", field="file", message="the file has a header but no rows")
        )
    report_extra = {
        "encoding": table.encoding,
        "delimiter": table.delimiter,
        "columns": columns.report,
    }
    if any(i.severity != WARNING for i in file_issues):
        return finish(table.format, options, [], file_issues, written=False, **report_extra)
    consent_columns = [k for k in columns.fields.values() if k.startswith("consent_")]
    require_consent_details(options, any(k != "consent_date" for k in consent_columns))
    sources = columns.source(table.headers)
    drafts = [
        draft_from_cells(number, cells, columns.fields, sources) for number, cells in table.rows
    ]
    written = run(session, registry, principal, drafts, options)
    return finish(table.format, options, drafts, file_issues, written=written, **report_extra)


def draft_from_cells(
    number: int, cells: list[tabular.Cell], fields: dict[int, str], sources: dict[str, str]
) -> Draft:
    draft = Draft(row=number, sources=sources)
    for index, key in fields.items():
        cell = cells[index] if index < len(cells) else None
        value = mapping.text(cell)
        if not value:
            continue
        try:
            draft.values[key] = _read_value(key, cell, value)
        except BadValue as bad:
            draft.error(key, bad.code, bad.message)
    return draft


def _read_value(key: str, cell: tabular.Cell, value: str) -> Any:
    if key == "kind":
        return mapping.parse_kind(value)
    if key == "tie_strength":
        return mapping.parse_tie(value)
    if key in DATES:
        return mapping.parse_date(cell)
    if key == "district":
        return mapping.district_code(cell)
    if key == "offers":
        return mapping.parse_offers(value)
    if key in LISTS:
        return mapping.split_list(value)
    if key in mapping.CONSENT_KEYS:
        return mapping.parse_yes_no(value)
    return value  # text; a pool or organisation consent cell is read with the batch scope


# --- from values to a partner --------------------------------------------------------------


def prepare(draft: Draft, options: ImportOptions, refs: Checks) -> None:
    """Checks the draft's values and, when they are sound, sets ``draft.partner``."""
    values = draft.values
    kind = values.get("kind") or (options.kind.value if options.kind else None)
    if kind is None:
        if not any(e.field == "kind" for e in draft.errors):
            draft.error("kind", "required", "the kind is missing: organisation or citizen")
        return
    draft.kind = kind
    if not values.get("name") and not any(e.field == "name" for e in draft.errors):
        draft.error("name", "required", "the name is missing")
    card = _card(draft, kind)
    district = _district(draft, refs)
    categories = _categories(draft, refs)
    consents = _consents(draft, options)
    validated = _validate_card(draft, kind, card)
    if validated is None or draft.errors:
        return
    document = validated.model_dump(mode="json", exclude_defaults=True)
    if not any(c.purpose == consent.FILE for c in consents or []):
        document = _pending(draft, document)
    try:
        draft.partner = PartnerIn(
            kind=kind,
            card=document,
            district_code=district,
            category_codes=categories,
            tie_strength=values.get("tie_strength", "weak"),
            consents=consents or [],
        )
    except ValidationError as exc:
        for error in exc.errors():
            key = {"district_code": "district", "category_codes": "categories"}.get(
                str(error["loc"][0]), str(error["loc"][0])
            )
            draft.error(key, "invalid_value", _message(error))


def _card(draft: Draft, kind: str) -> dict[str, Any]:
    values = draft.values
    own = ORG_CARD if kind == ORG else CITIZEN_CARD
    other = CITIZEN_CARD if kind == ORG else ORG_CARD
    for key in other:
        if key in values:
            noun = "citizens" if kind == ORG else "organisations"
            draft.warn(
                key,
                "not_for_kind",
                f"{mapping.label(key).lower()} is kept only for {noun}; ignored for this {kind}",
            )
    card: dict[str, Any] = {"name": values.get("name", "")}
    contact = {k: values[k] for k in CONTACT if k in values}
    if contact:
        card["contact"] = contact
    for key in (*own, "notes"):
        if key in values:
            card[key] = values[key].isoformat() if isinstance(values[key], date) else values[key]
    return card


def _validate_card(draft: Draft, kind: str, card: dict[str, Any]) -> Any:
    try:
        return partners.CARD_TYPES[kind].validate_python(card)
    except ValidationError as exc:
        for error in exc.errors():
            loc = [str(p) for p in error["loc"]]
            key = loc[1] if loc[0] == "contact" and len(loc) > 1 else loc[0]
            draft.error(key, _code(key, error), _message(error))
        return None


def _code(key: str, error: Any) -> str:
    kind = error["type"]
    if kind in ("missing", "string_too_short"):
        return "required"
    if kind == "string_too_long":
        return "too_long"
    if kind == "too_long":
        return "too_many_items"
    if key == "birthday" and kind == "value_error":
        return "date_in_future"
    return CODES_BY_FIELD.get(key, "invalid_value")


def _message(error: Any) -> str:
    message = str(error["msg"]).removeprefix("Value error, ")
    if message.startswith("not a valid phone number"):
        reason = message.rpartition(": ")[2]
        return (
            f"not a valid phone number ({reason}); numbers without +country code are read "
            "as Finnish"
        )
    return message


def _district(draft: Draft, refs: Checks) -> str | None:
    code = draft.values.get("district")
    if code is None:
        return None
    if refs.district(code):
        return str(code)
    padded = code.zfill(5) if code.isdigit() and len(code) < 5 else None
    if padded and refs.district(padded):
        draft.warn(
            "district",
            "district_zero_padded",
            f"read {code!r} as the postal code {padded!r} (the spreadsheet had dropped zeros)",
        )
        return padded
    draft.error("district", "unknown_district", f"unknown district {code!r}")
    return None


def _categories(draft: Draft, refs: Checks) -> list[str]:
    codes = list(dict.fromkeys(draft.values.get("categories", [])))
    unknown = [c for c in codes if not refs.category(c)]
    if unknown:
        listed = ", ".join(repr(c) for c in unknown)
        draft.error("categories", "unknown_category", f"unknown categories: {listed}")
    return codes


def _consents(draft: Draft, options: ImportOptions) -> list[ConsentIn] | None:
    """The consents the row grants, or None when it says nothing about consent."""
    scopes: dict[str, str | None] = {p: None for p in options.consents}
    said = bool(options.consents)
    for key, value in draft.values.items():
        if not key.startswith("consent_") or key == "consent_date":
            continue
        said = True
        purpose = key.removeprefix("consent_")
        if SHARING.match(purpose):
            try:
                scope = mapping.parse_sharing(value, options.consent_scope.value)
            except BadValue as bad:
                draft.error(key, bad.code, bad.message)
                continue
            if scope is not None:
                scopes[purpose] = scope
        elif value:
            scopes[purpose] = None
        else:
            scopes.pop(purpose, None)  # a "no" in the row overrides the batch
    if not said:
        return None
    if scopes and consent.FILE not in scopes:
        needing = ", ".join(sorted(scopes))
        draft.error(
            "consent_file",
            "consent_needs_file",
            f"consent to {needing} needs consent to be kept in the resource file (file) too",
        )
        return None
    obtained = draft.values.get("consent_date") or options.consent_obtained_on
    entries = []
    for purpose, scope in scopes.items():
        try:
            entries.append(
                ConsentIn(
                    purpose=purpose,
                    scope=scope if SHARING.match(purpose) else None,
                    method=options.consent_method,
                    information_version=options.consent_information_version or "",
                    obtained_on=obtained,
                )
            )
        except ValidationError as exc:
            draft.error("consent_date", "invalid_date", _message(exc.errors()[0]))
            return None
    return entries


def _pending(draft: Draft, document: dict[str, Any]) -> dict[str, Any]:
    """Without `file` consent only a name and a way to ask may be kept."""
    contact = document.get("contact", {})
    kept = {"name": document["name"]}
    if contact.get("email") or contact.get("phone"):
        kept["contact"] = {k: contact[k] for k in ("email", "phone") if contact.get(k)}
    dropped = sorted(
        [k for k in document if k not in ("name", "contact")]
        + [k for k in ("address", "website") if contact.get(k)]
    )
    if dropped:
        names = ", ".join(mapping.label(k).lower() for k in dropped)
        draft.warn(
            "consent_file",
            "kept_pending",
            f"no consent to keep this partner in the resource file: only the name and a way "
            f"to ask are kept until consent is recorded; not kept: {names}",
        )
    return kept


# --- writing -------------------------------------------------------------------------------


def run(
    session: Session,
    registry: Registry,
    principal: Principal,
    drafts: list[Draft],
    options: ImportOptions,
) -> bool:
    """Checks and creates every draft in one transaction; keeps it only when this is not a
    dry run and every row succeeded. Returns whether anything was written.

    The rows are first created a chunk at a time in a single savepoint. Only when storing
    one of them fails there (the checks before rarely let that happen) is everything
    created again with a savepoint per row, so that the failed row leaves no trace in the
    report of the rows after it. A savepoint per row on every import would cost PostgreSQL
    a subtransaction per row, which slows every other session once there are more than 64."""
    refs = Checks(session, principal.organisation_id)
    for draft in drafts:
        prepare(draft, options, refs)
    ready = [d for d in drafts if d.partner is not None and not d.errors]
    marks = {id(d): (len(d.errors), len(d.warnings)) for d in ready}
    outer = session.begin_nested()
    try:
        if not _create_all(session, registry, principal, refs, ready, isolated=False):
            outer.rollback()
            for draft in ready:
                errors, warnings = marks[id(draft)]
                del draft.errors[errors:], draft.warnings[warnings:]
            outer = session.begin_nested()
            _create_all(session, registry, principal, refs, ready, isolated=True)
    except BaseException:
        outer.rollback()
        raise
    keep = not options.dry_run and not any(d.errors for d in drafts)
    if keep:
        outer.commit()
    else:
        outer.rollback()
        for draft in drafts:
            draft.partner_id = None
    return keep


CHUNK = 250  # rows written together: their rows, keys, consent and events, and one look-up
STATISTICS_EVERY = 500  # rows between planner statistics refreshes in one import


def _create_all(
    session: Session,
    registry: Registry,
    principal: Principal,
    checks: Checks,
    drafts: list[Draft],
    *,
    isolated: bool,
) -> bool:
    """Checks the drafts, then writes the sound ones a chunk at a time, or each in a
    savepoint of its own when ``isolated``. Without isolation it stops, returning False,
    at the first chunk that cannot be stored."""
    sound: list[tuple[Draft, creation.NewPartner]] = []
    for draft in drafts:
        assert draft.partner is not None
        try:
            sound.append((draft, creation.check(checks, principal, draft.partner)))
        except DomainError as exc:
            key, code = _field_of(exc.field or "")
            draft.error(key, exc.code if code is None else code, exc.message)
    rows_by_partner: dict[str, int] = {}
    size = 1 if isolated else CHUNK
    for start in range(0, len(sound), size):
        chunk = sound[start : start + size]
        try:
            with session.begin_nested() if isolated else nullcontext():
                made = creation.write(session, registry, principal, [n for _, n in chunk])
        except SQLAlchemyError:
            if not isolated:
                return False
            chunk[0][0].error(
                "row", "storage_failed", "the row could not be stored; check its values"
            )
            continue
        for (draft, _), partner in zip(chunk, made, strict=True):
            draft.partner_id = partner.id
            rows_by_partner[partner.id] = draft.row
        duplicates = creation.duplicates_of(
            session, registry, [(p, n.document) for (_, n), p in zip(chunk, made, strict=True)]
        )
        for (draft, _), partner in zip(chunk, made, strict=True):
            _warn_of_duplicates(draft, duplicates[partner.id], rows_by_partner)
        if (start + size) // STATISTICS_EVERY > start // STATISTICS_EVERY:
            partners.refresh_statistics(session)
    return True


def _warn_of_duplicates(
    draft: Draft, duplicates: list[str], rows_by_partner: dict[str, int]
) -> None:
    """Warns of the earlier rows of the file and the partners already in the resource file
    that this row may duplicate."""
    in_file = sorted(
        rows_by_partner[p]
        for p in duplicates
        if p in rows_by_partner and rows_by_partner[p] < draft.row
    )
    existing = [p for p in duplicates if p not in rows_by_partner]
    if in_file:
        listed = ", ".join(str(r) for r in in_file)
        draft.warn(
            None,
            "duplicate_in_file",
            f"the same e-mail, phone or name as row {listed}",
            related_rows=in_file,
        )
    if existing:
        draft.warn(
            None,
            "duplicate_existing",
            f"the same e-mail, phone or name as {len(existing)} partner(s) already in your "
            "resource file",
            related_partner_ids=existing,
        )


def _field_of(where: str) -> tuple[str, str | None]:
    """The import field, and a more precise code, of an error ``creation.check`` raised."""
    if where == "card.contact":
        return "email", "no_way_to_ask"
    if where.startswith("card.contact."):
        key = where.removeprefix("card.contact.")
        return key, CODES_BY_FIELD.get(key)
    if where.startswith("card."):
        return where.removeprefix("card.").split(".")[0], None
    if where == "district_code":
        return "district", "unknown_district"
    if where.startswith("category_codes"):
        return "categories", "unknown_category"
    if where.startswith("consents"):
        return "consents", "invalid_consent"
    return where or "row", None


def finish(
    fmt: str,
    options: ImportOptions,
    drafts: list[Draft],
    file_issues: list[Issue],
    *,
    written: bool,
    **extra: Any,
) -> ImportReport:
    rows = [
        RowReport(
            row=d.row,
            ref=d.ref,
            status="error" if d.errors else "ok",
            kind=d.kind,
            partner_id=d.partner_id if written else None,
            errors=d.errors,
            warnings=d.warnings,
        )
        for d in sorted(drafts, key=lambda d: d.row)
    ]
    failed = sum(1 for r in rows if r.errors)
    file_failed = any(i.severity != WARNING for i in file_issues)
    return ImportReport(
        format=fmt,
        dry_run=options.dry_run,
        committed=written,
        status="failed" if failed or file_failed else "ok",
        file_issues=file_issues,
        rows=rows,
        summary=ImportSummary(
            rows=len(rows),
            ok=len(rows) - failed,
            failed=failed,
            with_warnings=sum(1 for r in rows if r.warnings),
            written=len(rows) if written else 0,
        ),
        **extra,
    )
