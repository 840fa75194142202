"""Snapshots of an eco-map and the comparison of two (before and after activation): ties
added, lost and moved between rings, and the metrics of each side in numbers and in
sentences (Finnish and English). ``metrics`` and ``compare`` are pure."""

import math
from collections import Counter

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.matching.networks import ecomaps
from services.matching.networks.models import (
    EcoMapSnapshot,
    Reciprocity,
    Relation,
    Ring,
    SupportKind,
)
from services.matching.networks.plural import counted
from services.matching.networks.schemas import (
    Comparison,
    Member,
    Metrics,
    RingChange,
    Sentences,
    SnapshotDetail,
    SnapshotIn,
    SnapshotOut,
)
from services.matching.runtime import Matching
from services.matching.support_users import service as support_users
from services.matching.support_users.models import SupportUser
from shared.auth import Principal
from shared.crypto.documents import open_document, seal_document
from shared.errors import Invalid, NotFound

TABLE = "eco_map_snapshots"
CURRENT = "current"
# How close each ring is, for density (docs/networks.md): the inner ring fills it fully.
RING_WEIGHT = {Ring.inner.value: 1.0, Ring.middle.value: 2 / 3, Ring.outer.value: 1 / 3}
PAID = Relation.staff.value


def metrics(members: list[Member]) -> Metrics:
    size = len(members)
    relations = Counter(m.relation.value for m in members)
    rings = Counter(m.ring.value for m in members)
    support = Counter(kind.value for m in members for kind in m.support)
    entropy = -sum((n / size) * math.log2(n / size) for n in relations.values() if n)
    paid = relations[PAID] / size if size else 0.0
    mutual = sum(1 for m in members if m.reciprocity == Reciprocity.mutual)
    fill = sum(RING_WEIGHT[m.ring.value] for m in members)
    return Metrics(
        size=size,
        by_relation={r.value: relations[r.value] for r in Relation},
        by_ring={r.value: rings[r.value] for r in Ring},
        by_support={k.value: support[k.value] for k in SupportKind},
        sector_diversity=len(relations),
        sector_entropy=round(entropy + 0.0, 3),
        paid_share=round(paid, 3),
        unpaid_share=round(1 - paid, 3) if size else 0.0,
        density=round(fill / size, 3) if size else 0.0,
        reciprocity=round(mutual / size, 3) if size else 0.0,
    )


def _pair(
    before: list[Member], after: list[Member]
) -> tuple[list[Member], list[Member], list[tuple[Member, Member]]]:
    """Members matched by id, then the rest by name (someone removed and added again is
    the same tie): what was lost, what was added and which are in both."""
    after_by_id = {m.id: m for m in after}
    kept = [(m, after_by_id[m.id]) for m in before if m.id in after_by_id]
    lost = [m for m in before if m.id not in after_by_id]
    kept_ids = {b.id for _, b in kept}
    added = [m for m in after if m.id not in kept_ids]
    still_lost = []
    for m in lost:
        twin = next((a for a in added if a.name.casefold() == m.name.casefold()), None)
        if twin is None:
            still_lost.append(m)
        else:
            added.remove(twin)
            kept.append((m, twin))
    return still_lost, added, kept


def compare(before: list[Member], after: list[Member]) -> Comparison:
    lost, added, kept = _pair(before, after)
    changed = [
        RingChange(name=b.name, from_ring=a.ring, to_ring=b.ring)
        for a, b in kept
        if a.ring != b.ring
    ]
    first, second = metrics(before), metrics(after)
    added_names = [m.name for m in added]
    lost_names = [m.name for m in lost]
    return Comparison(
        before=first,
        after=second,
        added=added_names,
        lost=lost_names,
        changed=changed,
        summary=_sentences(first, second, added_names, lost_names, changed),
    )


def _names(names: list[str], last: str) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} {last} {names[-1]}"


def _percent(value: float, lang: str) -> str:
    return f"{round(100 * value)} %" if lang == "fi" else f"{round(100 * value)}%"


def _sentences(
    before: Metrics,
    after: Metrics,
    added: list[str],
    lost: list[str],
    changed: list[RingChange],
) -> Sentences:
    fi: list[str] = []
    en: list[str] = []
    # "From 4 to 1 person": the noun goes with the last number. The Finnish elative and
    # illative after a number are singular whatever the number.
    people = counted(after.size, "en", "person", "people")
    if after.size > before.size:
        fi.append(f"Verkosto kasvoi {before.size} henkilöstä {after.size} henkilöön.")
        en.append(f"The network grew from {before.size} to {people}.")
    elif after.size < before.size:
        fi.append(f"Verkosto pieneni {before.size} henkilöstä {after.size} henkilöön.")
        en.append(f"The network shrank from {before.size} to {people}.")
    else:
        fi.append(f"Verkostossa on yhä {counted(after.size, 'fi', 'henkilö', 'henkilöä')}.")
        en.append(f"The network still has {people}.")
    if added:
        fi.append(f"Uusia suhteita: {_names(added, 'ja')}.")
        en.append(f"New ties: {_names(added, 'and')}.")
    if lost:
        fi.append(f"Pois jääneet suhteet: {_names(lost, 'ja')}.")
        en.append(f"Ties lost: {_names(lost, 'and')}.")
    closer = [
        c.name for c in changed if RING_WEIGHT[c.to_ring.value] > RING_WEIGHT[c.from_ring.value]
    ]
    further = [c.name for c in changed if c.name not in closer]
    if closer:
        fi.append(f"Läheisemmiksi tulivat: {_names(closer, 'ja')}.")
        en.append(f"Grew closer: {_names(closer, 'and')}.")
    if further:
        fi.append(f"Etäisemmiksi jäivät: {_names(further, 'ja')}.")
        en.append(f"Drifted further: {_names(further, 'and')}.")
    if after.sector_diversity != before.sector_diversity:
        fi.append(
            f"Suhteita on nyt {after.sector_diversity} elämänalueelta"
            f" (ennen {before.sector_diversity})."
        )
        areas = counted(after.sector_diversity, "en", "area", "areas")
        en.append(f"Ties now come from {areas} of life (before {before.sector_diversity}).")
    if after.paid_share != before.paid_share:
        fi.append(
            f"Palkatun henkilöstön osuus suhteista on {_percent(after.paid_share, 'fi')}"
            f" (ennen {_percent(before.paid_share, 'fi')})."
        )
        en.append(
            f"Paid staff make up {_percent(after.paid_share, 'en')} of the ties"
            f" (before {_percent(before.paid_share, 'en')})."
        )
    if after.reciprocity != before.reciprocity:
        fi.append(
            f"Molemminpuolisia suhteita on {_percent(after.reciprocity, 'fi')}"
            f" (ennen {_percent(before.reciprocity, 'fi')})."
        )
        en.append(
            f"{_percent(after.reciprocity, 'en')} of the ties are mutual"
            f" (before {_percent(before.reciprocity, 'en')})."
        )
    return Sentences(fi=fi, en=en)


def _document(session: Session, matching: Matching, row: EcoMapSnapshot) -> dict[str, object]:
    document: dict[str, object] = open_document(
        matching.keyring, session, TABLE, row.id, row.document_encrypted
    )
    return document


def _out(session: Session, matching: Matching, row: EcoMapSnapshot) -> SnapshotOut:
    label = str(_document(session, matching, row)["label"])
    return SnapshotOut(id=row.id, label=label, taken_at=row.taken_at, size=row.size)


def take(
    session: Session,
    matching: Matching,
    principal: Principal,
    support_user_id: str,
    data: SnapshotIn,
) -> SnapshotOut:
    person = support_users.find(session, principal, support_user_id)
    members = ecomaps.current_members(session, matching, person)
    row = EcoMapSnapshot(
        support_user_id=person.id,
        size=len(members),
        taken_by=principal.subject,
        document_encrypted=b"",
    )
    session.add(row)
    session.flush()
    row.document_encrypted = seal_document(
        matching.keyring,
        session,
        organisation_id=person.organisation_id,
        subject_id=person.id,
        table=TABLE,
        row_id=row.id,
        document={"label": data.label, "members": [m.model_dump(mode="json") for m in members]},
    )
    session.flush()
    return SnapshotOut(id=row.id, label=data.label, taken_at=row.taken_at, size=row.size)


def listing(
    session: Session, matching: Matching, principal: Principal, support_user_id: str
) -> list[SnapshotOut]:
    person = support_users.find(session, principal, support_user_id)
    rows = session.scalars(
        select(EcoMapSnapshot)
        .where(EcoMapSnapshot.support_user_id == person.id)
        .order_by(EcoMapSnapshot.taken_at.desc(), EcoMapSnapshot.id)
    ).all()
    return [_out(session, matching, row) for row in rows]


def _find(
    session: Session, person: SupportUser, snapshot_id: str, field: str = "snapshot_id"
) -> EcoMapSnapshot:
    row = session.get(EcoMapSnapshot, snapshot_id)
    if row is None or row.support_user_id != person.id:
        if field == "snapshot_id":
            raise NotFound("no such snapshot of this eco-map")
        raise Invalid(field, "no such snapshot of this eco-map")
    return row


def members_at(
    session: Session, matching: Matching, person: SupportUser, snapshot: str, field: str
) -> list[Member]:
    """The members of a snapshot, or the eco-map as it is now (``current``)."""
    if snapshot == CURRENT:
        return ecomaps.current_members(session, matching, person)
    row = _find(session, person, snapshot, field)
    members = _document(session, matching, row)["members"]
    assert isinstance(members, list)
    return [Member.model_validate(m) for m in members]


def detail(
    session: Session,
    matching: Matching,
    principal: Principal,
    support_user_id: str,
    snapshot_id: str,
) -> SnapshotDetail:
    person = support_users.find(session, principal, support_user_id)
    row = _find(session, person, snapshot_id)
    document = _document(session, matching, row)
    members = document["members"]
    assert isinstance(members, list)
    return SnapshotDetail(
        id=row.id,
        label=str(document["label"]),
        taken_at=row.taken_at,
        size=row.size,
        members=[Member.model_validate(m) for m in members],
    )


def comparison(
    session: Session,
    matching: Matching,
    principal: Principal,
    support_user_id: str,
    before: str,
    after: str,
) -> Comparison:
    person = support_users.find(session, principal, support_user_id)
    return compare(
        members_at(session, matching, person, before, "before"),
        members_at(session, matching, person, after, "after"),
    )
