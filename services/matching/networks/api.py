"""Routes for eco-maps, their snapshots and comparison, acquaintances and the pool network,
with the files and drawings to download."""

from typing import Annotated

from fastapi import APIRouter, Query, Response

from services.matching.networks import acquaintances, ecomaps, snapshots
from services.matching.networks.schemas import (
    AcquaintanceIn,
    AcquaintanceOut,
    Comparison,
    EcoMapOut,
    Member,
    MemberIn,
    MemberPatch,
    PoolNetwork,
    SnapshotDetail,
    SnapshotIn,
    SnapshotOut,
)
from services.matching.networks.service import (
    Download,
    Format,
    eco_map_download,
    pool_download,
    pool_network,
)
from services.matching.runtime import MatchingDep
from shared.auth import PrincipalDep
from shared.deps import SessionDep

eco_maps = APIRouter(prefix="/support-users", tags=["eco-maps"])
networks = APIRouter(prefix="/networks", tags=["networks"])

Lang = Annotated[str, Query(pattern="^(fi|en)$", description="language of the words")]
FILE_DOC = "a download: SVG drawing, GraphML, GEXF or node-link JSON"


def _download(download: Download) -> Response:
    return Response(
        download.content,
        media_type=download.media_type,
        headers={"Content-Disposition": f'attachment; filename="{download.filename}"'},
    )


@eco_maps.get("/{support_user_id}/eco-map", response_model=EcoMapOut, summary="The eco-map")
def get_eco_map(
    support_user_id: str, principal: PrincipalDep, session: SessionDep, matching: MatchingDep
) -> EcoMapOut:
    return ecomaps.eco_map(session, matching, principal, support_user_id)


@eco_maps.post(
    "/{support_user_id}/eco-map/members",
    response_model=Member,
    status_code=201,
    summary="Add a person or organisation to the eco-map",
)
def add_member(
    support_user_id: str,
    body: MemberIn,
    principal: PrincipalDep,
    session: SessionDep,
    matching: MatchingDep,
) -> Member:
    return ecomaps.add_member(session, matching, principal, support_user_id, body)


@eco_maps.patch(
    "/{support_user_id}/eco-map/members/{member_id}",
    response_model=Member,
    summary="Change a member of the eco-map",
)
def change_member(
    support_user_id: str,
    member_id: str,
    body: MemberPatch,
    principal: PrincipalDep,
    session: SessionDep,
    matching: MatchingDep,
) -> Member:
    return ecomaps.change_member(session, matching, principal, support_user_id, member_id, body)


@eco_maps.delete(
    "/{support_user_id}/eco-map/members/{member_id}",
    status_code=204,
    summary="Remove a member from the eco-map",
)
def remove_member(
    support_user_id: str, member_id: str, principal: PrincipalDep, session: SessionDep
) -> Response:
    ecomaps.remove_member(session, principal, support_user_id, member_id)
    return Response(status_code=204)


@eco_maps.post(
    "/{support_user_id}/eco-map/snapshots",
    response_model=SnapshotOut,
    status_code=201,
    summary="Keep the eco-map as it is now",
)
def take_snapshot(
    support_user_id: str,
    body: SnapshotIn,
    principal: PrincipalDep,
    session: SessionDep,
    matching: MatchingDep,
) -> SnapshotOut:
    return snapshots.take(session, matching, principal, support_user_id, body)


@eco_maps.get(
    "/{support_user_id}/eco-map/snapshots",
    response_model=list[SnapshotOut],
    summary="The eco-map's snapshots, newest first",
)
def list_snapshots(
    support_user_id: str, principal: PrincipalDep, session: SessionDep, matching: MatchingDep
) -> list[SnapshotOut]:
    return snapshots.listing(session, matching, principal, support_user_id)


@eco_maps.get(
    "/{support_user_id}/eco-map/snapshots/{snapshot_id}",
    response_model=SnapshotDetail,
    summary="One snapshot with its members",
)
def get_snapshot(
    support_user_id: str,
    snapshot_id: str,
    principal: PrincipalDep,
    session: SessionDep,
    matching: MatchingDep,
) -> SnapshotDetail:
    return snapshots.detail(session, matching, principal, support_user_id, snapshot_id)


@eco_maps.get(
    "/{support_user_id}/eco-map/comparison",
    response_model=Comparison,
    summary="Two states of the eco-map compared",
)
def compare(
    support_user_id: str,
    principal: PrincipalDep,
    session: SessionDep,
    matching: MatchingDep,
    before: Annotated[str, Query(max_length=36, description="a snapshot id")],
    after: Annotated[str, Query(max_length=36, description='a snapshot id or "current"')] = (
        "current"
    ),
) -> Comparison:
    return snapshots.comparison(session, matching, principal, support_user_id, before, after)


@eco_maps.get(
    "/{support_user_id}/eco-map.{fmt}",
    summary="The eco-map to download",
    response_class=Response,
    responses={200: {"description": FILE_DOC}},
)
def download_eco_map(
    support_user_id: str,
    fmt: Format,
    principal: PrincipalDep,
    session: SessionDep,
    matching: MatchingDep,
    snapshot: Annotated[str | None, Query(max_length=36, description="a snapshot id")] = None,
    lang: Lang = "fi",
) -> Response:
    return _download(
        eco_map_download(session, matching, principal, support_user_id, fmt, lang, snapshot)
    )


@networks.post(
    "/acquaintances",
    response_model=AcquaintanceOut,
    status_code=201,
    summary="Record that two people or organisations know each other",
)
def record_acquaintance(
    body: AcquaintanceIn, principal: PrincipalDep, session: SessionDep
) -> AcquaintanceOut:
    return acquaintances.record(session, principal, body)


@networks.get(
    "/acquaintances",
    response_model=list[AcquaintanceOut],
    summary="The organisation's recorded acquaintances",
)
def list_acquaintances(principal: PrincipalDep, session: SessionDep) -> list[AcquaintanceOut]:
    return acquaintances.listing(session, principal)


@networks.delete(
    "/acquaintances/{acquaintance_id}", status_code=204, summary="Remove an acquaintance"
)
def remove_acquaintance(
    acquaintance_id: str, principal: PrincipalDep, session: SessionDep
) -> Response:
    acquaintances.remove(session, principal, acquaintance_id)
    return Response(status_code=204)


@networks.get("/pool", response_model=PoolNetwork, summary="The pool network, analysed")
def get_pool(
    principal: PrincipalDep, session: SessionDep, matching: MatchingDep, lang: Lang = "fi"
) -> PoolNetwork:
    return pool_network(session, matching, principal, lang)


@networks.get(
    "/pool.{fmt}",
    summary="The pool network to download",
    response_class=Response,
    responses={200: {"description": FILE_DOC}},
)
def download_pool(
    fmt: Format,
    principal: PrincipalDep,
    session: SessionDep,
    matching: MatchingDep,
    lang: Lang = "fi",
) -> Response:
    return _download(pool_download(session, matching, principal, fmt, lang))
