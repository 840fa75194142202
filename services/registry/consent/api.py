"""Routes for a partner's consent: grant, withdraw, history and the receipt."""

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from services.registry.consent import service
from services.registry.consent.schemas import ConsentIn, ConsentRecordOut, WithdrawalIn
from services.registry.identity.models import Organisation
from services.registry.partners import service as partners
from services.registry.runtime import RegistryDep
from shared.auth import PrincipalDep
from shared.deps import SessionDep

router = APIRouter(prefix="/partners/{partner_id}/consents", tags=["consent"])


@router.post("", response_model=list[ConsentRecordOut], status_code=201, summary="Record consents")
def grant(
    partner_id: str,
    body: list[ConsentIn],
    principal: PrincipalDep,
    session: SessionDep,
    registry: RegistryDep,
) -> list[ConsentRecordOut]:
    partner = partners.find_own(session, principal, partner_id)
    service.grant(session, registry.keyring, partner, body, principal, field_prefix="body")
    partners.after_consent_change(session, registry, partner)
    return service.history(session, registry.keyring, partner)[-len(body) :]


@router.post("/withdraw", response_model=list[str], summary="Withdraw consents; returns what ended")
def withdraw(
    partner_id: str,
    body: WithdrawalIn,
    principal: PrincipalDep,
    session: SessionDep,
    registry: RegistryDep,
) -> list[str]:
    partner = partners.find_own(session, principal, partner_id)
    ended = service.withdraw(
        session, partner, body.purposes, body.method, body.information_version, principal
    )
    partners.after_consent_change(session, registry, partner)
    return ended


@router.get("", response_model=list[ConsentRecordOut], summary="The full consent history")
def history(
    partner_id: str, principal: PrincipalDep, session: SessionDep, registry: RegistryDep
) -> list[ConsentRecordOut]:
    partner = partners.find_own(session, principal, partner_id)
    return service.history(session, registry.keyring, partner)


@router.get("/receipt", summary="A consent receipt for the partner (JSON download)")
def receipt(
    partner_id: str, principal: PrincipalDep, session: SessionDep, registry: RegistryDep
) -> JSONResponse:
    partner = partners.find_own(session, principal, partner_id)
    card = partners.card_of(session, registry, partner)
    owner = session.get(Organisation, partner.organisation_id)
    document: dict[str, Any] = {
        "receipt_version": "1",
        "issued_at": datetime.now(UTC).isoformat(),
        "controller": {
            "organisation_id": partner.organisation_id,
            "name": owner.name if owner else "",
        },
        "subject": {"partner_id": partner.id, "name": card["name"]},
        "current_purposes": sorted(service.current(session, partner.id)),
        "records": [
            r.model_dump(mode="json") for r in service.history(session, registry.keyring, partner)
        ],
    }
    return JSONResponse(
        document,
        headers={"Content-Disposition": f'attachment; filename="consent-{partner.id}.json"'},
    )
