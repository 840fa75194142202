"""The planning pages: coverage on a district map with its table alternative, unmet wishes
ranked, trends month by month as server-drawn charts with their tables, the downloads
(passed on from the registry with the person's token), whose figures are counted, and for
organisation admins the municipalities their organisation shares statistics with.

Every figure is a count of many from the registry's `/planning`; the registry decides who
may see what and hides small counts. These pages never link to a partner or a person."""

import asyncio
import logging
import re
from collections.abc import Mapping
from datetime import date
from typing import Annotated, Any, TypeVar
from urllib.parse import urlencode

from babel.dates import format_date
from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from markupsafe import Markup
from starlette.datastructures import FormData

from services.portal.deps import Api, ApiDep, NoAccess, TemplatesDep, member_of
from services.portal.i18n import N_, request_language
from services.portal.navigation import sections_for
from services.portal.partner_form import Translate
from services.portal.registry_client import Me, Rejected
from services.portal.schemas import (
    DistrictCollection,
    DistrictMeasures,
    Gaps,
    OrganisationListing,
    PlanningCoverage,
    PlanningScope,
    StatisticsShares,
    Trends,
)
from services.portal.security import csrf_valid
from services.portal.templating import DATE_LOCALES
from services.portal.tokens import NOTICE
from services.portal.trend_chart import Chart, bar_chart

log = logging.getLogger("kortisto.portal")

router = APIRouter(include_in_schema=False)

PlannerDep = Annotated[Me, Depends(member_of("planner"))]
SECTION_PATH = "/planning"
ADMIN = "admin"
T = TypeVar("T")

# What the map can be coloured by, as the registry names the measures.
MEASURES = {
    "unmet": N_("Unmet wishes"),
    "unmet_per_1000": N_("Unmet wishes per 1,000 inhabitants"),
    "demand": N_("Open wishes"),
    "demand_per_1000": N_("Open wishes per 1,000 inhabitants"),
    "supply": N_("Partners offering"),
    "supply_per_1000": N_("Partners offering per 1,000 inhabitants"),
}
DEFAULT_MEASURE = "unmet"
GAP_LEVELS = {
    "cell": N_("District and category"),
    "district": N_("District, all categories"),
    "category": N_("Category, all districts"),
}
TREND_FIGURES = {
    "both": N_("Partners offering and open wishes"),
    "supply": N_("Partners offering"),
    "demand": N_("Open wishes"),
}
TREND_MONTHS = (6, 12, 24, 36, 60)
DEFAULT_MONTHS = 24
# The registry's bounds of k; its own answer (`default_k`) is the lower one shown.
MAX_K = 100
GAPS_SHOWN = 100

# One-shot notices of the sharing page, by the code kept in the session.
NOTICES = {
    "sharing_started": N_(
        "Sharing started: your organisation's counts are now part of the municipality's "
        "planning figures."
    ),
    "sharing_stopped": N_(
        "Sharing stopped: your organisation's counts are no longer part of the municipality's "
        "planning figures."
    ),
}

# Inline SVG from the registry is written into the page only when it holds nothing but
# drawing: no script, no links, no event handlers, no foreign content.
SVG_ELEMENTS = frozenset(
    {"svg", "title", "desc", "defs", "pattern", "g", "path", "rect", "line", "circle", "text"}
)
SVG_TAG = re.compile(r"</?([A-Za-z][A-Za-z0-9]*)((?:\s+[^<>]*?)?)\s*/?>")
SVG_ATTRIBUTE = re.compile(r"([A-Za-z_:][-A-Za-z0-9_:.]*)\s*=")
SAFE_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")


def is_admin(me: Me) -> bool:
    return ADMIN in me.roles


def page_context(me: Me, current: str, **values: Any) -> dict[str, Any]:
    """What every planning page shows: the main menu with this section current, and the
    section's own menu with ``current`` (a path) marked."""
    return {
        "me": me,
        "sections": sections_for(me.roles),
        "current_path": SECTION_PATH,
        "planning_current": current,
        "is_admin": is_admin(me),
        **values,
    }


def field_message(gettext: Translate, field: str, default_k: int) -> str:
    """The registry's refusal of one filter, in plain words."""
    messages = {
        "k": gettext("Enter a whole number from %(low)d to %(high)d.")
        % {"low": default_k, "high": MAX_K},
        "category": gettext("Choose a category from the list."),
        "district": gettext("Choose a district from the list."),
        "measure": gettext("Choose what the map shows."),
        "months": gettext("Choose how many months to show."),
        "level": gettext("Choose what the list ranks."),
    }
    return messages.get(field, gettext("Check the choices and try again."))


async def read_filtered(
    api: Api,
    shape: type[T],
    path: str,
    params: dict[str, Any],
    errors: dict[str, str],
    gettext: Translate,
) -> T:
    """The registry's answer to ``params``; a filter it refuses (422 naming the field) is
    reported in ``errors`` at that field and left out, and the view asked again. ``params``
    keeps only the filters that were accepted."""
    while True:
        try:
            return await api.read(shape, path, params)
        except Rejected as exc:
            if exc.status != 422 or exc.field not in params:
                raise
            errors[exc.field] = field_message(gettext, exc.field, 5)
            del params[exc.field]


def safe_svg(drawing: str) -> Markup | None:
    """The registry's map as markup to write into the page, or ``None`` when it holds
    anything but drawing (then the table carries the figures alone): only the elements
    the map is drawn with, no declarations, entities or comments, no event handler, link
    or style attribute."""
    drawing = drawing.strip()
    if not drawing.startswith("<svg") or "<!" in drawing or "<?" in drawing:
        return None
    for tag in SVG_TAG.finditer(drawing):
        if tag.group(1) not in SVG_ELEMENTS:
            return None
        for name in SVG_ATTRIBUTE.findall(tag.group(2)):
            local = name.rsplit(":", 1)[-1].lower()
            if local.startswith("on") or local in ("href", "style"):
                return None
    if drawing.count("<") != len(SVG_TAG.findall(drawing)):
        return None  # something tag-like the pattern did not read
    return Markup(drawing)  # noqa: S704 - checked above to be drawing only


def month_label(month: date, language: str, short: bool = False) -> str:
    locale = DATE_LOCALES.get(language, language)
    return format_date(month, "M/yyyy" if short else "LLLL yyyy", locale=locale)


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _k_param(k: str) -> dict[str, str]:
    """k as typed (the registry checks it); left out when empty."""
    k = k.strip()[:8]
    return {"k": k} if k else {}


# -- coverage ----------------------------------------------------------------------------


@router.get("/planning")
async def coverage_page(
    request: Request,
    templates: TemplatesDep,
    api: ApiDep,
    me: PlannerDep,
    measure: str = DEFAULT_MEASURE,
    category: str = "",
    k: str = "",
) -> Response:
    gettext = templates.gettext(request).gettext
    language = request_language(request)
    errors: dict[str, str] = {}
    if measure not in MEASURES:
        errors["measure"] = field_message(gettext, "measure", 5)
        measure = DEFAULT_MEASURE
    params: dict[str, Any] = {"lang": language, **_k_param(k)}
    if category.strip():
        params["category"] = category.strip()[:32]
    # The districts' figures check the filters once; the rest asks with the accepted ones.
    collection = await read_filtered(
        api, DistrictCollection, "/planning/coverage.geojson", params, errors, gettext
    )
    every_category = {key: value for key, value in params.items() if key != "category"}
    scope, coverage, drawing = await asyncio.gather(
        api.read(PlanningScope, "/planning/scope"),
        api.read(PlanningCoverage, "/planning/coverage", every_category),
        api.send("GET", "/planning/map.svg", params={**params, "measure": measure}),
    )
    if "k" in errors:
        errors["k"] = field_message(gettext, "k", scope.default_k)
    view = {key: value for key, value in params.items() if key != "lang"}
    districts = sorted(
        (feature.properties for feature in collection.features),
        key=lambda d: (d.name.casefold(), d.code),
    )
    map_svg = safe_svg(drawing.text)
    if map_svg is None:
        log.warning("planning: the map was left out", extra={"reason": "unexpected content"})
    chosen_label = next(
        (c.label for c in coverage.categories if c.code == view.get("category")), ""
    )
    return templates.render(
        request,
        "planning/coverage.html",
        page_context(
            me,
            "/planning",
            scope=scope,
            coverage=coverage,
            districts=districts,
            suppressed_districts=sum(_suppressed(d, measure) for d in districts),
            neighbour_weight=collection.neighbour_weight,
            map_svg=map_svg,
            measure=measure,
            measures=MEASURES,
            category=view.get("category", ""),
            category_label=chosen_label,
            category_options=[(c.code, c.label) for c in coverage.categories],
            k=k.strip()[:8] if "k" in errors else str(view.get("k", "")),
            errors=errors,
            downloads=_downloads(view, measure),
        ),
        private=True,
        status_code=422 if errors else 200,
    )


def _suppressed(district: DistrictMeasures, measure: str) -> bool:
    return (
        district.supply_suppressed if measure.startswith("supply") else district.demand_suppressed
    )


def _downloads(view: Mapping[str, Any], measure: str) -> dict[str, str]:
    """The download addresses for what the page shows."""
    k = {"k": view["k"]} if "k" in view else {}
    category = {"category": view["category"]} if "category" in view else {}
    return {
        "coverage_csv": "/planning/coverage.csv?" + urlencode(k),
        "coverage_geojson": "/planning/coverage.geojson?" + urlencode({**k, **category}),
        "map_svg": "/planning/map.svg?" + urlencode({**k, **category, "measure": measure}),
        "gaps_csv": "/planning/gaps.csv?" + urlencode(k),
    }


# -- unmet wishes ------------------------------------------------------------------------


@router.get("/planning/gaps")
async def gaps_page(
    request: Request,
    templates: TemplatesDep,
    api: ApiDep,
    me: PlannerDep,
    level: str = "cell",
    k: str = "",
) -> Response:
    gettext = templates.gettext(request).gettext
    language = request_language(request)
    errors: dict[str, str] = {}
    if level not in GAP_LEVELS:
        errors["level"] = field_message(gettext, "level", 5)
        level = "cell"
    params: dict[str, Any] = {"lang": language, "level": level, "limit": GAPS_SHOWN}
    params.update(_k_param(k))
    scope, found = await asyncio.gather(
        api.read(PlanningScope, "/planning/scope"),
        read_filtered(api, Gaps, "/planning/gaps", params, errors, gettext),
    )
    if "k" in errors:
        errors["k"] = field_message(gettext, "k", scope.default_k)
    download = {"level": level, **({"k": params["k"]} if "k" in params else {})}
    return templates.render(
        request,
        "planning/gaps.html",
        page_context(
            me,
            "/planning/gaps",
            scope=scope,
            gaps=found,
            level=level,
            levels=GAP_LEVELS,
            shown=GAPS_SHOWN,
            k=k.strip()[:8] if "k" in errors else str(params.get("k", "")),
            errors=errors,
            download="/planning/gaps.csv?" + urlencode(download),
        ),
        private=True,
        status_code=422 if errors else 200,
    )


# -- trends ------------------------------------------------------------------------------


@router.get("/planning/trends")
async def trends_page(
    request: Request,
    templates: TemplatesDep,
    api: ApiDep,
    me: PlannerDep,
    district: str = "",
    category: str = "",
    months: str = str(DEFAULT_MONTHS),
    figure: str = "both",
) -> Response:
    gettext = templates.gettext(request).gettext
    language = request_language(request)
    errors: dict[str, str] = {}
    if figure not in TREND_FIGURES:
        errors["figure"] = gettext("Choose which figure to show.")
        figure = "both"
    params: dict[str, Any] = {"months": months.strip()[:4] or str(DEFAULT_MONTHS)}
    if district.strip():
        params["district"] = district.strip()[:16]
    if category.strip():
        params["category"] = category.strip()[:32]
    scope, choices, found = await asyncio.gather(
        api.read(PlanningScope, "/planning/scope"),
        # Only for the names of the districts and categories to choose from.
        api.read(PlanningCoverage, "/planning/coverage", {"lang": language}),
        read_filtered(api, Trends, "/planning/trends", params, errors, gettext),
    )
    if "months" in errors:
        params["months"] = str(DEFAULT_MONTHS)
    points = found.points
    figures = ("supply", "demand") if figure == "both" else (figure,)
    charts: list[tuple[str, Chart]] = []
    for name in figures:
        charts.append((name, bar_chart([(p.month, getattr(p, name)) for p in points])))
    district_names = {d.code: d.name for d in choices.districts}
    category_labels = {c.code: c.label for c in choices.categories}
    return templates.render(
        request,
        "planning/trends.html",
        page_context(
            me,
            "/planning/trends",
            scope=scope,
            trends=found,
            charts=charts,
            figure=figure,
            figures_labels=TREND_FIGURES,
            district=params.get("district", ""),
            category=params.get("category", ""),
            months=params["months"],
            month_choices=[(str(n), str(n)) for n in TREND_MONTHS],
            districts=sorted(district_names.items(), key=lambda i: (i[1].casefold(), i[0])),
            categories=sorted(category_labels.items(), key=lambda i: i[1].casefold()),
            district_name=district_names.get(params.get("district", ""), ""),
            category_label=category_labels.get(params.get("category", ""), ""),
            month_labels={p.month: month_label(p.month, language) for p in points},
            axis_labels={p.month: month_label(p.month, language, short=True) for p in points},
            errors=errors,
            download="/planning/trends.csv?" + urlencode(params),
        ),
        private=True,
        status_code=422 if errors else 200,
    )


# -- downloads: the registry's files passed on as they are -------------------------------

DOWNLOADS = {
    "coverage.csv": ("text/csv; charset=utf-8", ("k",)),
    "coverage.geojson": ("application/geo+json", ("k", "category")),
    "map.svg": ("image/svg+xml", ("k", "category", "measure")),
    "gaps.csv": ("text/csv; charset=utf-8", ("k", "level")),
    "trends.csv": ("text/csv; charset=utf-8", ("district", "category", "months")),
}


def _download_route(name: str, media_type: str, accepted: tuple[str, ...]) -> Any:
    async def download(request: Request, api: ApiDep, me: PlannerDep) -> Response:
        # Only the parameters the registry's route takes: it refuses any other.
        params: dict[str, Any] = {
            key: value[:32]
            for key, value in request.query_params.items()
            if key in accepted and value
        }
        params["lang"] = request_language(request)
        answer = await api.send("GET", f"/planning/{name}", params=params)
        return Response(
            answer.content,
            media_type=answer.headers.get("content-type", media_type),
            headers={
                "Content-Disposition": f'attachment; filename="{name}"',
                "Cache-Control": "no-store",
            },
        )

    download.__name__ = "download_" + name.replace(".", "_")
    return download


for _name, (_media_type, _accepted) in DOWNLOADS.items():
    router.add_api_route(
        f"/planning/{_name}", _download_route(_name, _media_type, _accepted), methods=["GET"]
    )


# -- sharing statistics (organisation admins) --------------------------------------------


def _admin_only(me: Me) -> None:
    if not is_admin(me):
        raise NoAccess(me)


async def _sharing_page(
    request: Request,
    templates: TemplatesDep,
    api: Api,
    me: Me,
    *,
    chosen: str = "",
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    shares, municipalities = await asyncio.gather(
        api.read(StatisticsShares, "/planning/shares"),
        api.read(list[OrganisationListing], "/organisations", {"kind": "municipality"}),
    )
    sharing_now = {o.id for o in shares.shares_with}
    others = sorted(
        (
            m
            for m in municipalities
            if m.id != me.organisation.id and m.id not in sharing_now and m.kind == "municipality"
        ),
        key=lambda m: m.name.casefold(),
    )
    # The notice of the step before, kept here (the shared notices do not know it).
    notice = NOTICES.get(request.session.pop(NOTICE, ""), "") if status_code == 200 else ""
    return templates.render(
        request,
        "planning/sharing.html",
        page_context(
            me,
            "/planning/sharing",
            shares=shares,
            municipalities=others,
            municipality_options=[(m.id, m.name) for m in others],
            own_is_municipality=me.organisation.kind == "municipality",
            chosen=chosen,
            errors=errors or {},
            page_notice=notice,
        ),
        private=True,
        status_code=status_code,
    )


@router.get("/planning/sharing")
async def sharing_page(
    request: Request, templates: TemplatesDep, api: ApiDep, me: PlannerDep
) -> Response:
    _admin_only(me)
    return await _sharing_page(request, templates, api, me)


@router.post("/planning/sharing")
async def start_sharing(
    request: Request, templates: TemplatesDep, api: ApiDep, me: PlannerDep
) -> Response:
    _admin_only(me)
    gettext = templates.gettext(request).gettext
    form = await request.form()
    chosen = _text(form, "municipality_id")
    error = ""
    if not csrf_valid(request, _text(form, "csrf_token")):
        error = gettext("The page had expired. Send the form again.")
    elif not chosen or not SAFE_ID.fullmatch(chosen):
        error = gettext("Choose the municipality.")
    else:
        try:
            await api.send("PUT", f"/planning/shares/{chosen}")
        except Rejected as exc:
            if exc.status == 404:
                error = gettext("That municipality is no longer in Kortisto. Choose another.")
            elif exc.status == 422 and exc.field == "municipality_id":
                error = gettext(
                    "Statistics can be shared only with a municipality other than your own."
                )
            else:
                raise
    if error:
        return await _sharing_page(
            request,
            templates,
            api,
            me,
            chosen=chosen,
            errors={"municipality_id": error},
            status_code=422,
        )
    request.session[NOTICE] = "sharing_started"
    return RedirectResponse("/planning/sharing", status_code=303)


@router.post("/planning/sharing/{municipality_id}/stop")
async def stop_sharing(
    request: Request,
    templates: TemplatesDep,
    api: ApiDep,
    me: PlannerDep,
    municipality_id: str,
) -> Response:
    _admin_only(me)
    gettext = templates.gettext(request).gettext
    form = await request.form()
    field = f"stop-{municipality_id}"
    if not csrf_valid(request, _text(form, "csrf_token")):
        errors = {field: gettext("The page had expired. Send the form again.")}
        return await _sharing_page(request, templates, api, me, errors=errors, status_code=400)
    try:
        await api.send("DELETE", f"/planning/shares/{municipality_id}")
    except Rejected as exc:
        if exc.status != 404:
            raise
        # Already stopped (by another admin, or in another tab): the page shows how it is.
    request.session[NOTICE] = "sharing_stopped"
    return RedirectResponse("/planning/sharing", status_code=303)
