"""The pool network for staff: who knows whom across the sharing pool drawn as a sociogram,
what matching found in it in words (brokers, bottlenecks, bridges, isolated people, groups,
strong and weak ties, where sharing information would help most) with names where the
viewer may see them, recording and removing acquaintances, and downloads. Matching decides
what each organisation sees; a node without a name stays without one here."""

import asyncio
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from markupsafe import Markup
from starlette.exceptions import HTTPException

from services.portal.deps import Api, ApiDep, MatchingApiDep, TemplatesDep, member_of
from services.portal.drawings import DrawingUnreadable, inline_svg
from services.portal.i18n import N_, request_language
from services.portal.labels import NETWORK_NODE_KINDS, TIE_STRENGTHS, UNNAMED_NODES
from services.portal.navigation import sections_for
from services.portal.partner_form import Translate
from services.portal.registry_client import Me, Rejected
from services.portal.schemas import Acquaintance, Member, NetworkNode, PoolNetwork
from services.portal.security import csrf_valid
from services.portal.support_user_form import text_of
from services.portal.tokens import NOTICE

router = APIRouter(include_in_schema=False)

StaffDep = Annotated[Me, Depends(member_of("network"))]
SECTION_PATH = "/network"
FORMATS = {"svg": "image/svg+xml", "graphml": "application/xml", "gexf": "application/xml",
           "json": "application/json"}  # fmt: skip
# Groups of one are the isolated people, listed on their own.
SHOWN_COMMUNITIES = 10
# Who matching lets record and remove acquaintances (coordinators read the network only).
RECORDERS = frozenset({"admin", "staff"})

NOTICES = {
    "acquaintance_recorded": N_("The acquaintance was recorded. The network below includes it."),
    "acquaintance_removed": N_("The acquaintance was removed."),
}


def notify(request: Request, code: str) -> None:
    request.session[NOTICE] = code


def page_context(request: Request, me: Me, **values: Any) -> dict[str, Any]:
    context: dict[str, Any] = {
        "me": me,
        "sections": sections_for(me.roles),
        "current_path": SECTION_PATH,
    }
    if request.session.get(NOTICE) in NOTICES:
        context["page_notice"] = NOTICES[request.session.pop(NOTICE)]
    return {**context, **values}


def see_other(path: str) -> RedirectResponse:
    return RedirectResponse(path, status_code=303)


# -- names ---------------------------------------------------------------------------------


def end_of(node: NetworkNode) -> dict[str, str]:
    """The node as one end of an acquaintance: its kind and the id in its key."""
    prefix = f"{node.kind}:"
    return {"kind": node.kind, "id": node.key.removeprefix(prefix)}


def key_of(kind: str, end_id: str, keys: set[str]) -> str:
    """The node key of an acquaintance's end, in whichever form matching keys nodes."""
    prefixed = f"{kind}:{end_id}"
    return prefixed if prefixed in keys else end_id


@dataclass
class Names:
    """Each node's name as this viewer may see it: the label matching gave, a colleague's
    name from the registry, or what kind of node it is and that its name is not shown."""

    by_key: dict[str, str]
    shown: set[str]  # keys whose real name is shown

    def of(self, key: str) -> str:
        return self.by_key.get(key, key)


def names_of(pool: PoolNetwork, members: list[Member], gettext: Translate) -> Names:
    colleagues = {m.id: m.display_name for m in members}
    by_key: dict[str, str] = {}
    shown: set[str] = set()
    for node in pool.nodes:
        name = node.label
        if not name and node.kind == "staff" and node.own:
            name = colleagues.get(end_of(node)["id"])
        if name:
            by_key[node.key] = name
            shown.add(node.key)
        else:
            by_key[node.key] = gettext(UNNAMED_NODES.get(node.kind, UNNAMED_NODES["partner"]))
    return Names(by_key, shown)


# -- the page --------------------------------------------------------------------------------


@dataclass
class AcquaintanceView:
    acquaintance: Acquaintance
    a: str
    b: str


async def render_network(
    request: Request,
    templates: TemplatesDep,
    api: Api,
    matching: Api,
    me: Me,
    sent: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    gettext = templates.gettext(request).gettext
    language = request_language(request)
    params = {"lang": language}
    pool, acquaintances, members, svg_answer = await asyncio.gather(
        matching.read(PoolNetwork, "/networks/pool", params),
        matching.read(list[Acquaintance], "/networks/acquaintances"),
        api.read_or_none(list[Member], "/users"),
        matching.send("GET", "/networks/pool.svg", params=params),
    )
    names = names_of(pool, members or [], gettext)
    label = gettext(
        "The pool network: people and organisations %(nodes)d, ties %(ties)d. The findings "
        "below say what it shows."
    ) % {"nodes": len(pool.nodes), "ties": len(pool.edges)}
    drawing: Markup | None
    try:
        drawing = inline_svg(svg_answer.content, "pool", label, "drawing__svg")
    except DrawingUnreadable:
        drawing = None
    keys = {node.key for node in pool.nodes}
    listed = [
        AcquaintanceView(
            a,
            names.of(key_of(a.a.kind, a.a.id, keys))
            if key_of(a.a.kind, a.a.id, keys) in keys
            else gettext(UNNAMED_NODES.get(a.a.kind, UNNAMED_NODES["partner"])),
            names.of(key_of(a.b.kind, a.b.id, keys))
            if key_of(a.b.kind, a.b.id, keys) in keys
            else gettext(UNNAMED_NODES.get(a.b.kind, UNNAMED_NODES["partner"])),
        )
        for a in acquaintances
    ]
    # Only people and organisations whose names the viewer sees can be chosen.
    kinds = {kind: gettext(label) for kind, label in NETWORK_NODE_KINDS.items()}
    choices = sorted(
        (
            (node.key, f"{names.of(node.key)} ({kinds.get(node.kind, node.kind)})")
            for node in pool.nodes
            if node.key in names.shown
        ),
        key=lambda pair: pair[1].lower(),
    )
    findings = pool.findings
    communities = [group for group in findings.communities if len(group) > 1]
    return templates.render(
        request,
        "network/pool.html",
        page_context(
            request,
            me,
            pool=pool,
            names=names,
            drawing=drawing,
            findings=findings,
            communities=communities[:SHOWN_COMMUNITIES],
            more_communities=max(0, len(communities) - SHOWN_COMMUNITIES),
            brokers=[n for n in pool.nodes if n.key in set(findings.brokers)],
            betweenness_of={n.key: n.betweenness for n in pool.nodes},
            sentences=pool.summary.of(language),
            acquaintances=listed,
            choices=choices,
            may_record=bool(RECORDERS & set(me.roles)),
            sent=sent or {},
            errors=errors or {},
            strengths=TIE_STRENGTHS,
        ),
        private=True,
        status_code=status_code,
    )


@router.get(SECTION_PATH)
async def network_page(
    request: Request, templates: TemplatesDep, api: ApiDep, matching: MatchingApiDep, me: StaffDep
) -> Response:
    return await render_network(request, templates, api, matching, me)


@router.post(f"{SECTION_PATH}/acquaintances")
async def record_acquaintance(
    request: Request, templates: TemplatesDep, api: ApiDep, matching: MatchingApiDep, me: StaffDep
) -> Response:
    gettext = templates.gettext(request).gettext
    data = await request.form()
    sent = {name: text_of(data, name) for name in ("a", "b", "strength")}
    errors: dict[str, str] = {}
    if not csrf_valid(request, text_of(data, "csrf_token")):
        errors["acquaintance-a"] = gettext("The page had expired. Send the form again.")
    else:
        pool = await matching.read(
            PoolNetwork, "/networks/pool", {"lang": request_language(request)}
        )
        nodes = {node.key: node for node in pool.nodes}
        if sent["a"] not in nodes:
            errors["acquaintance-a"] = gettext("Choose the first person from the list.")
        if sent["b"] not in nodes:
            errors["acquaintance-b"] = gettext("Choose the second person from the list.")
        elif sent["a"] == sent["b"]:
            errors["acquaintance-b"] = gettext("Choose two different people.")
        if sent["strength"] not in TIE_STRENGTHS:
            errors["acquaintance-strength"] = gettext("Choose whether the tie is strong or weak.")
        if not errors:
            body = {
                "a": end_of(nodes[sent["a"]]),
                "b": end_of(nodes[sent["b"]]),
                "strength": sent["strength"],
            }
            try:
                await matching.send("POST", "/networks/acquaintances", json=body)
            except Rejected as exc:
                if exc.status not in (400, 404, 409, 422):
                    raise
                errors[_acquaintance_field(exc.field)] = _acquaintance_message(exc, gettext)
    if errors:
        return await render_network(request, templates, api, matching, me, sent, errors, 422)
    notify(request, "acquaintance_recorded")
    return see_other(f"{SECTION_PATH}#acquaintances")


def _acquaintance_field(api_field: str | None) -> str:
    name = (api_field or "").split(".")[0]
    return f"acquaintance-{name}" if name in ("a", "b", "strength") else "acquaintance-a"


def _acquaintance_message(exc: Rejected, gettext: Translate) -> str:
    if exc.status == 409:
        return gettext("These two are recorded as acquainted already.")
    if (exc.field or "").startswith("strength"):
        return gettext("Choose whether the tie is strong or weak.")
    return gettext("This person cannot be chosen. Reload the page and choose from the list.")


@router.post(f"{SECTION_PATH}/acquaintances/{{acquaintance_id}}/remove")
async def remove_acquaintance(
    request: Request,
    templates: TemplatesDep,
    api: ApiDep,
    matching: MatchingApiDep,
    me: StaffDep,
    acquaintance_id: str,
) -> Response:
    gettext = templates.gettext(request).gettext
    data = await request.form()
    if not csrf_valid(request, text_of(data, "csrf_token")):
        errors = {"acquaintance-a": gettext("The page had expired. Send the form again.")}
        return await render_network(request, templates, api, matching, me, None, errors, 400)
    await matching.send("DELETE", f"/networks/acquaintances/{acquaintance_id}")
    notify(request, "acquaintance_removed")
    return see_other(f"{SECTION_PATH}#acquaintances")


@router.get(f"{SECTION_PATH}/pool.{{fmt}}")
async def download_pool(
    request: Request, matching: MatchingApiDep, me: StaffDep, fmt: str
) -> Response:
    """Matching's file handed to the browser as a download, never stored on the way."""
    if fmt not in FORMATS:
        raise HTTPException(404)
    answer = await matching.send(
        "GET", f"/networks/pool.{fmt}", params={"lang": request_language(request)}
    )
    headers = {
        "Content-Disposition": f'attachment; filename="pool-network.{fmt}"',
        "Cache-Control": "no-store",
    }
    media_type = answer.headers.get("content-type", FORMATS[fmt])
    return Response(answer.content, media_type=media_type, headers=headers)
