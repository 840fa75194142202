"""The access log viewer: when another organisation found or opened one of our partners
(and every export), on what basis, and checking that the hash chain is unbroken."""

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from services.portal.deps import Api, ApiDep, TemplatesDep, member_of
from services.portal.navigation import sections_for
from services.portal.registry_client import Me, Rejected
from services.portal.schemas import AccessEntry, OrganisationRef, Partner, Pool, Verification

router = APIRouter(include_in_schema=False)

ReaderDep = Annotated[Me, Depends(member_of("access_log"))]
PAGE_SIZE = 50


async def _partner_names(api: Api, ids: list[str]) -> dict[str, str]:
    """Our own partners' names (reading our own partner is not logged); an erased partner
    has none."""
    found = await asyncio.gather(*(api.read_or_none(Partner, f"/partners/{i}") for i in ids))
    return {p.id: p.name for p in found if p is not None}


def basis_label(basis: str, gettext: Any, pools: dict[str, str]) -> str:
    kind, _, target = basis.partition(":")
    if kind == "pool":
        return str(gettext("Shared in the pool %(name)s")) % {
            "name": pools.get(target, gettext("(a pool we have left)"))
        }
    if kind == "organisation":
        return str(gettext("Consent names their organisation"))
    if basis == "owner":
        return str(gettext("Our own organisation"))
    return basis


@router.get("/access-log")
async def access_log(
    request: Request,
    templates: TemplatesDep,
    api: ApiDep,
    me: ReaderDep,
    partner: str = "",
    page: int = 1,
    verify: str = "",
) -> Response:
    gettext = templates.gettext(request).gettext
    page = max(1, min(page, 10_000))
    params: dict[str, Any] = {"limit": PAGE_SIZE + 1, "offset": (page - 1) * PAGE_SIZE}
    if partner:
        params["partner_id"] = partner[:36]
    entries, organisations, pools = await asyncio.gather(
        api.read(list[AccessEntry], "/access-log", params),
        api.read_or_none(list[OrganisationRef], "/organisations"),
        api.read_or_none(list[Pool], "/pools"),
    )
    more = len(entries) > PAGE_SIZE
    entries = entries[:PAGE_SIZE]
    partner_names = await _partner_names(api, sorted({e.partner_id for e in entries}))
    verification: Verification | None = None
    verify_refused = False
    if verify:
        try:
            verification = await api.read(Verification, "/access-log/verify")
        except Rejected as exc:
            if exc.status != 403:
                raise
            verify_refused = True
    pool_names = {p.id: p.name for p in pools or []}
    query = f"partner={partner}&" if partner else ""
    return templates.render(
        request,
        "access_log.html",
        {
            "me": me,
            "sections": sections_for(me.roles),
            "entries": entries,
            "partner_names": partner_names,
            "organisation_names": {o.id: o.name for o in organisations or []},
            "basis_labels": {e.basis: basis_label(e.basis, gettext, pool_names) for e in entries},
            "partner": partner,
            "partner_name": partner_names.get(partner, "") if partner else "",
            "page": page,
            "previous_url": f"/access-log?{query}page={page - 1}" if page > 1 else "",
            "next_url": f"/access-log?{query}page={page + 1}" if more else "",
            "verification": verification,
            "verify_refused": verify_refused,
            "is_admin": "admin" in me.roles,
        },
        private=True,
    )
