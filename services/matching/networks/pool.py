"""The pool network: who knows whom among partners, support users and staff, built from
matching's own data and only from what the viewer may see.

Sources of ties: contacts (`activity.logged`: a staff member and a partner), referrals of
the viewer's organisation (a support user and a partner, once the partner was contacted),
shared events (partners with an `event` activity logged by the same organisation on the
same day) and acquaintances recorded by the viewer's organisation.

Visibility: partners are nodes only when the viewer's organisation may see them in the
index (its own, or shared with its pool or with it by name), and named from their sealed
card; a partner the viewer may not see is left out with its ties. Support users are only
the viewer's organisation's, named from their sealed profile. Staff of the viewer's
organisation are keyed by their user id (the portal names them); staff of another
organisation are unnamed nodes with an opaque key (a keyed hash of the id)."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import networkx as nx
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.matching.index.models import IndexedPartner
from services.matching.networks.models import Acquaintance, PartnerContact
from services.matching.referrals.models import Referral
from services.matching.runtime import Matching
from services.matching.suggestions.candidates import visible_to
from services.matching.support_users.models import SupportUser
from shared.auth import Principal
from shared.errors import Forbidden

WORKERS = ("admin", "staff", "coordinator")
# A tie is strong when it was recorded strong, or is an accepted or active referral, or
# had at least STRONG_CONTACTS contacts (or shared events) within WINDOW_DAYS.
WINDOW_DAYS = 365
STRONG_CONTACTS = 3
STRONG_REFERRALS = ("accepted", "active")
# A referral is a tie once the partner has been contacted; a declined one never was.
REFERRAL_TIES = ("contacted", "accepted", "active", "ended")
# Partners at one event day are linked pairwise; a larger crowd is not an acquaintance.
MAX_EVENT_GROUP = 60
SOURCES = ("activity", "referral", "shared_event", "acquaintance")
OPAQUE_KIND = "network-node"


@dataclass
class Tie:
    sources: set[str] = field(default_factory=set)
    recent: int = 0
    strong: bool = False


@dataclass
class Builder:
    today: date
    nodes: dict[str, dict[str, Any]] = field(default_factory=dict)
    ties: dict[tuple[str, str], Tie] = field(default_factory=lambda: defaultdict(Tie))

    def node(self, key: str, kind: str, own: bool) -> None:
        self.nodes.setdefault(key, {"kind": kind, "label": None, "named": False, "own": own})

    def tie(
        self, a: str, b: str, source: str, day: date | None = None, strong: bool = False
    ) -> None:
        if a == b:
            return
        tie = self.ties[(a, b) if a < b else (b, a)]
        tie.sources.add(source)
        tie.strong = tie.strong or strong
        if day is not None and (self.today - day).days <= WINDOW_DAYS:
            tie.recent += 1

    def graph(self) -> nx.Graph:
        graph = nx.Graph()
        for key in sorted(self.nodes):
            graph.add_node(key, **self.nodes[key])
        for (a, b), tie in sorted(self.ties.items()):
            graph.add_edge(
                a,
                b,
                strength="strong" if tie.strong or tie.recent >= STRONG_CONTACTS else "weak",
                sources=[s for s in SOURCES if s in tie.sources],
            )
        return graph


def require_worker(principal: Principal) -> None:
    if not principal.has_any(*WORKERS):
        raise Forbidden("the pool network is for the organisation's admins, staff and coordinators")


def visible_partners(session: Session, organisation_id: str) -> dict[str, str]:
    """Partner id → owning organisation, for every partner the organisation may see."""
    rows = session.execute(
        select(IndexedPartner.partner_id, IndexedPartner.organisation_id).where(
            visible_to(session, organisation_id)
        )
    ).all()
    return {partner_id: owner for partner_id, owner in rows}


def build(
    session: Session, matching: Matching, principal: Principal, today: date | None = None
) -> nx.Graph:
    require_worker(principal)
    org = principal.organisation_id
    builder = Builder(today or date.today())
    partners = visible_partners(session, org)
    for partner_id, owner in partners.items():
        if owner == org:
            builder.node(partner_id, "partner", True)
    people = session.execute(
        select(SupportUser.id, SupportUser.status).where(SupportUser.organisation_id == org)
    ).all()
    own_people = {person_id for person_id, _ in people}
    for person_id, status in people:
        if status == "active":
            builder.node(person_id, "support_user", True)
    _contacts(session, matching, principal, builder, partners)
    _referrals(session, builder, org, partners)
    _acquaintances(session, builder, org, partners, own_people)
    _label(session, matching, builder)
    return builder.graph()


def _contacts(
    session: Session,
    matching: Matching,
    principal: Principal,
    builder: Builder,
    partners: dict[str, str],
) -> None:
    org = principal.organisation_id
    rows = session.execute(
        select(
            PartnerContact.partner_id,
            PartnerContact.organisation_id,
            PartnerContact.staff_user_id,
            PartnerContact.kind,
            PartnerContact.occurred_on,
        )
        .join(IndexedPartner, IndexedPartner.partner_id == PartnerContact.partner_id)
        .where(visible_to(session, org))
    ).all()
    foreign = sorted({staff for _, owner, staff, _, _ in rows if staff and owner != org})
    hashed = matching.keyring.term_indexes(session, org, OPAQUE_KIND, foreign)
    opaque = {staff: f"anon-{h[:20]}" for staff, h in zip(foreign, hashed, strict=True)}
    events: dict[tuple[str, date], set[str]] = defaultdict(set)
    for partner_id, owner, staff, kind, day in rows:
        builder.node(partner_id, "partner", partners[partner_id] == org)
        if staff:
            key = staff if owner == org else opaque[staff]
            builder.node(key, "staff", owner == org)
            builder.tie(key, partner_id, "activity", day)
        if kind == "event":
            events[(owner, day)].add(partner_id)
    for (_, day), group in events.items():
        if 1 < len(group) <= MAX_EVENT_GROUP:
            members = sorted(group)
            for i, a in enumerate(members):
                for b in members[i + 1 :]:
                    builder.tie(a, b, "shared_event", day)


def _referrals(session: Session, builder: Builder, org: str, partners: dict[str, str]) -> None:
    rows = session.execute(
        select(Referral.support_user_id, Referral.partner_id, Referral.status).where(
            Referral.organisation_id == org, Referral.status.in_(REFERRAL_TIES)
        )
    ).all()
    for person_id, partner_id, status in rows:
        if partner_id not in partners:
            continue
        builder.node(person_id, "support_user", True)
        builder.node(partner_id, "partner", partners[partner_id] == org)
        builder.tie(person_id, partner_id, "referral", strong=status in STRONG_REFERRALS)


def _acquaintances(
    session: Session,
    builder: Builder,
    org: str,
    partners: dict[str, str],
    people: set[str],
) -> None:
    rows = session.scalars(select(Acquaintance).where(Acquaintance.organisation_id == org)).all()
    for row in rows:
        ends = ((row.a_kind, row.a_id), (row.b_kind, row.b_id))
        if not all(_visible(kind, key, partners, people) for kind, key in ends):
            continue
        for kind, key in ends:
            builder.node(key, kind, kind != "partner" or partners[key] == org)
        builder.tie(row.a_id, row.b_id, "acquaintance", strong=row.strength == "strong")


def _visible(kind: str, key: str, partners: dict[str, str], people: set[str]) -> bool:
    if kind == "partner":
        return key in partners
    if kind == "support_user":
        return key in people
    return True  # staff recorded by the organisation are its own


def _label(session: Session, matching: Matching, builder: Builder) -> None:
    """Names from the sealed documents, every data key read in one statement per kind."""
    partner_keys = [k for k, a in builder.nodes.items() if a["kind"] == "partner"]
    rows = session.execute(
        select(IndexedPartner.partner_id, IndexedPartner.document_encrypted).where(
            IndexedPartner.partner_id.in_(partner_keys)
        )
    ).all()
    sealed = [("indexed_partners", pid, blob) for pid, blob in rows]
    for (_, pid, _), document in zip(
        sealed, matching.keyring.open_documents(session, sealed), strict=True
    ):
        builder.nodes[pid].update(label=str(document.get("name") or ""), named=True)
    people = [k for k, a in builder.nodes.items() if a["kind"] == "support_user"]
    rows = session.execute(
        select(SupportUser.id, SupportUser.profile_encrypted).where(SupportUser.id.in_(people))
    ).all()
    sealed = [("support_users", pid, blob) for pid, blob in rows]
    for (_, pid, _), document in zip(
        sealed, matching.keyring.open_documents(session, sealed), strict=True
    ):
        builder.nodes[pid].update(label=str(document.get("name") or ""), named=True)
