"""What the API takes and gives for eco-maps, snapshots, their comparison, acquaintances and
the pool network."""

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from services.matching.networks.models import (
    EndKind,
    Frequency,
    Reciprocity,
    Relation,
    Ring,
    SupportKind,
    TieStrength,
)

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Note = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]
Label = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class MemberIn(BaseModel):
    """A person or organisation in the support user's life."""

    model_config = ConfigDict(extra="forbid")
    name: Name
    partner_id: str | None = Field(None, max_length=36, description="a partner in the index")
    relation: Relation
    ring: Ring
    support: list[SupportKind] = Field(default_factory=list, max_length=4)
    reciprocity: Reciprocity = Reciprocity.mutual
    frequency: Frequency = Frequency.monthly
    note: Note | None = None


class MemberPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Name | None = None
    partner_id: str | None = Field(None, max_length=36)
    relation: Relation | None = None
    ring: Ring | None = None
    support: list[SupportKind] | None = Field(None, max_length=4)
    reciprocity: Reciprocity | None = None
    frequency: Frequency | None = None
    note: Note | None = None


class Member(MemberIn):
    id: str


class GuidingQuestion(BaseModel):
    code: str
    fi: str
    en: str


class EcoMapOut(BaseModel):
    support_user_id: str
    members: list[Member]
    guiding_questions: list[GuidingQuestion]
    updated_at: datetime | None = Field(description="the newest change of a member, if any")


class SnapshotIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    label: Label


class SnapshotOut(BaseModel):
    id: str
    label: str
    taken_at: datetime
    size: int


class SnapshotDetail(SnapshotOut):
    members: list[Member]


class Metrics(BaseModel):
    size: int
    by_relation: dict[str, int]
    by_ring: dict[str, int]
    by_support: dict[str, int]
    sector_diversity: int = Field(description="distinct relation sectors with a member")
    sector_entropy: float = Field(description="Shannon entropy of the sectors, in bits")
    paid_share: float = Field(description="staff and professional ties / all ties")
    unpaid_share: float
    density: float = Field(description="weighted closeness fill, 0-1 (docs/networks.md)")
    reciprocity: float = Field(description="share of mutual ties")


class RingChange(BaseModel):
    name: str
    from_ring: Ring
    to_ring: Ring


class Sentences(BaseModel):
    fi: list[str]
    en: list[str]


class Comparison(BaseModel):
    before: Metrics
    after: Metrics
    added: list[str]
    lost: list[str]
    changed: list[RingChange]
    summary: Sentences


class End(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: EndKind
    id: str = Field(min_length=1, max_length=36)


class AcquaintanceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    a: End
    b: End
    strength: TieStrength = TieStrength.weak


class AcquaintanceOut(BaseModel):
    id: str
    a: End
    b: End
    strength: TieStrength
    recorded_by: str
    created_at: datetime


class PoolNode(BaseModel):
    key: str
    kind: EndKind
    label: str | None
    named: bool
    own: bool
    degree: int
    betweenness: float
    community: int


class PoolEdge(BaseModel):
    source: str
    target: str
    strength: TieStrength
    sources: list[str]


class BetweennessMethod(BaseModel):
    method: str = Field(description="exact | sampled")
    samples: int | None
    error: float | None = Field(description="estimated largest absolute error of a node's value")
    bound: float | None = Field(
        None, description="an error no node exceeds with 95 % probability (Hoeffding)"
    )
    note: str


class InformationSharing(BaseModel):
    nodes: list[str]
    reason: str
    would_split: int = Field(description="people cut off if this tie were lost")


class Findings(BaseModel):
    brokers: list[str]
    articulation_points: list[str]
    bridges: list[list[str]]
    isolates: list[str]
    communities: list[list[str]]
    strong_ties: int
    weak_ties: int
    information_sharing: list[InformationSharing]


class PoolNetwork(BaseModel):
    nodes: list[PoolNode]
    edges: list[PoolEdge]
    betweenness: BetweennessMethod
    findings: Findings
    summary: Sentences
