"""Routes for partners, their cards and the data-subject rights."""

from dataclasses import replace
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response

from services.registry.consent.schemas import SIMPLE_PURPOSES
from services.registry.partners import creation, rights, search, service
from services.registry.partners.cards import CompetenceCardIn
from services.registry.partners.models import PartnerKind, TieStrength
from services.registry.partners.schemas import (
    CompetenceCardOut,
    PartnerIn,
    PartnerOut,
    PartnerPage,
    PartnerPatch,
)
from services.registry.runtime import RegistryDep
from shared.auth import PrincipalDep
from shared.deps import SessionDep

router = APIRouter(prefix="/partners", tags=["partners"])


@router.post(
    "", response_model=PartnerOut, status_code=201, summary="Add a partner to the resource file"
)
def create_partner(
    body: PartnerIn, principal: PrincipalDep, session: SessionDep, registry: RegistryDep
) -> PartnerOut:
    return creation.create_partner(session, registry, principal, body)


def partner_filters(
    name: Annotated[str, Query(max_length=200, description="prefix of any name word")] = "",
    text: Annotated[
        str, Query(max_length=500, description="words in offers, skills, resources")
    ] = "",
    email: Annotated[str, Query(max_length=300)] = "",
    phone: Annotated[str, Query(max_length=50)] = "",
    district: Annotated[str | None, Query(max_length=32)] = None,
    neighbours: bool = False,
    category: Annotated[str | None, Query(max_length=32)] = None,
    kind: PartnerKind | None = None,
    tie_strength: TieStrength | None = None,
    status: Annotated[str, Query(pattern="^(active|inactive|pending|any)$")] = "active",
    not_contacted_for_days: Annotated[int | None, Query(ge=0, le=36500)] = None,
    contacted_within_days: Annotated[int | None, Query(ge=0, le=36500)] = None,
    consent: Annotated[
        str | None,
        Query(
            pattern=f"^({'|'.join(SIMPLE_PURPOSES)})$",
            description="only your own partners holding this consent now (e.g. newsletter)",
        ),
    ] = None,
) -> search.PartnerQuery:
    """The filters of the partner list, shared by the list and the exports."""
    return search.PartnerQuery(
        name=name,
        text=text,
        email=email,
        phone=phone,
        district=district,
        neighbours=neighbours,
        category=category,
        kind=kind.value if kind else None,
        tie_strength=tie_strength.value if tie_strength else None,
        status=status,
        not_contacted_for_days=not_contacted_for_days,
        contacted_within_days=contacted_within_days,
        consent=consent,
    )


FiltersDep = Annotated[search.PartnerQuery, Depends(partner_filters)]


@router.get("", response_model=PartnerPage, summary="Search own and shared partners")
def search_partners(
    principal: PrincipalDep,
    session: SessionDep,
    registry: RegistryDep,
    filters: FiltersDep,
    scope: Annotated[str, Query(pattern="^(all|own|shared)$")] = "all",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=100)] = 25,
) -> PartnerPage:
    query = replace(filters, scope=scope, page=page, page_size=page_size)
    return search.search(session, registry, principal, query)


@router.get(
    "/{partner_id}", response_model=PartnerOut, summary="A partner's cards, as far as you may see"
)
def read_partner(
    partner_id: str, principal: PrincipalDep, session: SessionDep, registry: RegistryDep
) -> PartnerOut:
    return service.read_partner(session, registry, principal, partner_id)


@router.patch("/{partner_id}", response_model=PartnerOut)
def update_partner(
    partner_id: str,
    body: PartnerPatch,
    principal: PrincipalDep,
    session: SessionDep,
    registry: RegistryDep,
) -> PartnerOut:
    return service.update_partner(session, registry, principal, partner_id, body)


@router.delete("/{partner_id}", status_code=204, summary="Erase a partner (crypto-shredding)")
def erase_partner(
    partner_id: str, principal: PrincipalDep, session: SessionDep, registry: RegistryDep
) -> Response:
    rights.erase_partner(session, registry, principal, partner_id)
    return Response(status_code=204)


@router.get("/{partner_id}/export", summary="Everything held about a partner, as JSON")
def export_partner(
    partner_id: str, principal: PrincipalDep, session: SessionDep, registry: RegistryDep
) -> dict[str, Any]:
    return rights.export_partner(session, registry, principal, partner_id)


@router.post("/{partner_id}/competence-cards", response_model=CompetenceCardOut, status_code=201)
def add_competence_card(
    partner_id: str,
    body: CompetenceCardIn,
    principal: PrincipalDep,
    session: SessionDep,
    registry: RegistryDep,
) -> CompetenceCardOut:
    return service.add_competence_card(session, registry, principal, partner_id, body)


@router.delete("/{partner_id}/competence-cards/{card_id}", status_code=204)
def remove_competence_card(
    partner_id: str,
    card_id: str,
    principal: PrincipalDep,
    session: SessionDep,
    registry: RegistryDep,
) -> Response:
    service.remove_competence_card(session, registry, principal, partner_id, card_id)
    return Response(status_code=204)
