"""The registry's, matching's and reminders' answers as the portal reads them. Only the
fields a page shows are declared; anything else a service adds is ignored, and an answer
missing a declared field is treated as the service being unavailable rather than
half-rendered."""

from datetime import date, datetime, time
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Answer(BaseModel):
    model_config = ConfigDict(extra="ignore", coerce_numbers_to_str=True)


class Owner(Answer):
    id: str
    name: str


class PartnerSummary(Answer):
    id: str
    owner: Owner
    owned: bool
    view: str  # full | contact | basic
    kind: str
    status: str
    name: str
    district_code: str | None = None
    category_codes: list[str] = Field(default_factory=list)
    tie_strength: str
    last_contact_on: date | None = None


class PartnerPage(Answer):
    items: list[PartnerSummary]
    total: int
    page: int
    page_size: int


class ConsentState(Answer):
    purpose: str
    scope: str | None = None
    valid_until: date | None = None
    active: bool = True


class CompetenceCard(Answer):
    id: str
    kind: str
    domain: str
    title: str
    description: str = ""
    preferences: str = ""


class Partner(PartnerSummary):
    card: dict[str, Any]
    card_updated_on: date
    responsible_user_id: str | None = None
    purge_after: date | None = None
    consents: list[ConsentState] = Field(default_factory=list)
    competence_cards: list[CompetenceCard] = Field(default_factory=list)
    possible_duplicates: list[str] = Field(default_factory=list)

    @property
    def pending(self) -> bool:
        return self.status == "pending"

    @property
    def purposes(self) -> set[str]:
        return {c.purpose for c in self.consents if c.active}


class ConsentRecord(Answer):
    id: str
    purpose: str
    scope: str | None = None
    action: str
    method: str
    information_version: str
    evidence_ref: str = ""
    obtained_by: str = ""
    obtained_on: date
    valid_until: date | None = None
    recorded_at: datetime


class Activity(Answer):
    id: str
    kind: str
    occurred_on: date
    staff_user_id: str | None = None
    content: str = ""
    outcome: str = ""


class Contribution(Answer):
    id: str
    occurred_on: date
    how: str
    where: str = ""


class Member(Answer):
    id: str
    display_name: str
    roles: list[str] = Field(default_factory=list)


class Pool(Answer):
    id: str
    name: str
    my_status: str


class OrganisationRef(Answer):
    id: str
    name: str


class AccessEntry(Answer):
    seq: int
    at: datetime
    partner_id: str
    reader_organisation_id: str
    action: str
    basis: str


class Verification(Answer):
    entries: int
    valid: bool
    first_broken_seq: int | None = None
    problem: str = ""


class District(Answer):
    code: str
    name_fi: str
    name_sv: str | None = None
    source: str = ""


class Category(Answer):
    code: str
    parent_code: str | None = None
    label: str


class KnowledgeNote(Answer):
    id: str
    district_code: str
    noted_on: date
    question: str
    answer: str
    staff_user_id: str


class KnowledgeNotePage(Answer):
    items: list[KnowledgeNote]
    page: int
    page_size: int
    total: int


class Assignee(Answer):
    user_id: str
    display_name: str | None = None


class DistrictCoverage(Answer):
    district_code: str
    district_name: str | None = None
    assignees: list[Assignee] = Field(default_factory=list)
    partners: int = 0
    pending_partners: int = 0
    notes: int = 0


class CoverageSummary(Answer):
    partners_without_assignee: list[str] = Field(default_factory=list)
    assigned_without_partners: list[str] = Field(default_factory=list)


class Coverage(Answer):
    districts: list[DistrictCoverage]
    summary: CoverageSummary = CoverageSummary()


# -- matching ----------------------------------------------------------------------------


class Slot(Answer):
    weekday: int
    start: str  # "17:00:00"
    end: str


class SupportUserConsents(Answer):
    matching: bool = False
    share_details: bool = False


class SupportUser(Answer):
    id: str
    name: str
    languages: list[str] = Field(default_factory=list)
    availability: list[Slot] = Field(default_factory=list)
    accessibility: list[str] = Field(default_factory=list)
    notes: str = ""
    worker_user_id: str
    account_user_id: str | None = None
    district_code: str | None = None
    status: str
    consent: SupportUserConsents = SupportUserConsents()
    created_at: datetime


class SupportUserConsentRecord(Answer):
    purpose: str
    action: str
    method: str
    recorded_by: str
    recorded_at: datetime


class Wish(Answer):
    id: str
    support_user_id: str
    text: str
    language: str
    category_codes: list[str] = Field(default_factory=list)
    priority: int
    status: str
    method: str
    created_at: datetime

    @property
    def open(self) -> bool:
        return self.status in ("open", "in_progress")


class CheckItem(Answer):
    id: str
    kind: str
    text: str
    created_at: datetime


class Reason(Answer):
    code: str
    weight: float
    text: dict[str, str]


class Suggestion(Answer):
    resource_id: str
    partner_id: str
    partner_kind: str
    own_organisation: bool
    kind: str
    title: str
    partner_name: str
    district_code: str | None = None
    reasons: list[Reason] = Field(default_factory=list)
    explanation: dict[str, str]


class Suggestions(Answer):
    wish_id: str
    items: list[Suggestion]


class ReferralStep(Answer):
    status: str
    note: str = ""
    recorded_by: str
    recorded_at: datetime


class Referral(Answer):
    id: str
    support_user_id: str
    wish_id: str
    partner_id: str
    partner_organisation_id: str
    resource_id: str
    title: str = ""
    partner_name: str = ""
    status: str
    share_details: bool
    outcome: str | None = None
    follow_up_on: date | None = None
    steps: list[ReferralStep] = Field(default_factory=list)
    created_at: datetime

    @property
    def open(self) -> bool:
        return self.status not in ("declined", "ended")


# -- reminders ---------------------------------------------------------------------------


class DueItem(Answer):
    """One of my due items (an in-app notification)."""

    id: str
    kind: str
    subject_id: str
    subject_name: str = ""
    support_user_id: str | None = None  # a referral follow-up's support user
    due_at: datetime
    status: str
    snoozed_until: datetime | None = None


class DeliverySettings(Answer):
    digest: bool = False
    digest_hour: int = 8
    email_reminders: bool = True


class Policy(Answer):
    strong_months: int
    weak_months: int
    renewal_days: int
    stale_months: int
    quiet_start: time
    quiet_end: time


class Delivery(Answer):
    id: str
    kind: str
    subject_id: str
    recipient_kind: str
    recipient_id: str
    channel: str
    status: str
    attempts: int = 0
    last_error: str | None = None
    due_at: datetime
    sent_at: datetime | None = None


class WorkerHealth(Answer):
    last_heartbeat: datetime | None = None
    alive: bool = False


class OperationsSummary(Answer):
    queues: dict[str, int | None] = Field(default_factory=dict)
    deliveries: dict[str, int] = Field(default_factory=dict)
    organisation: dict[str, int] = Field(default_factory=dict)  # the admin's own deliveries
    worker: WorkerHealth = WorkerHealth()


class NewsletterIssue(Answer):
    id: str
    audience: str
    subject: str
    language: str
    blocks: list[dict[str, Any]] = Field(default_factory=list)
    status: str
    scheduled_at: datetime | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    created_at: datetime
    updated_at: datetime | None = None
    deliveries: dict[str, int] = Field(default_factory=dict)

    @property
    def editable(self) -> bool:
        return self.status in ("draft", "scheduled")

    @property
    def recipients(self) -> int:
        return sum(self.deliveries.values())


class NewsletterPreview(Answer):
    subject: str
    text: str
    html: str


class NewsletterSent(Answer):
    issue: NewsletterIssue
    recipients: int


class NewsletterRecipient(Answer):
    partner_id: str
    delivery_id: str
    name: str | None = None
    status: str
    sent_at: datetime | None = None
    bounced: bool = False
    error: str | None = None
    unsubscribed: bool = False


# -- review meetings (reminders) -------------------------------------------------------------


class MemberContact(Member):
    """A member of the organisation with the e-mail address the registry gives its
    colleagues: what a meeting's participant row is filled from."""

    email: str = ""


class Matter(Answer):
    id: str
    topic: str
    aim: str
    why: str
    urgency: str
    decision_level: str
    board: str = ""
    board_chair: str = ""
    decision_timeline: str = ""
    procurement_timeline: str = ""
    contact_user_id: str
    shared_will_confirmed_on: date
    cadence_months: int | None = None
    status: str
    created_at: datetime


class PlanningStep(Answer):
    id: str
    kind: str
    position: int
    owner_user_id: str | None = None
    status: str
    due_on: date | None = None
    note: str = ""


class MeetingParticipant(Answer):
    id: str
    role: str
    name: str
    email: str
    user_id: str | None = None
    reply: str
    outcome_confirmed_at: datetime | None = None


class MeetingWarning(Answer):
    code: str
    message: str
    participants: int = 0
    limit: int = 0


class Meeting(Answer):
    id: str
    matter_id: str
    starts_at: datetime
    ends_at: datetime
    place: str = ""
    online_link: str = ""
    invitations_by: str = ""
    agenda: str = ""
    minutes: str = ""
    outcome: str = ""
    status: str
    sequence: int = 0
    invited_sequence: int | None = None  # the version last sent; none before the invitations
    needs_invitation: bool = False  # this version not yet sent to the participants
    participants: list[MeetingParticipant] = Field(default_factory=list)
    warnings: list[MeetingWarning] = Field(default_factory=list)

    @property
    def changeable(self) -> bool:
        return self.status in ("planned", "proposed")

    @property
    def invited(self) -> bool:
        return self.invited_sequence is not None

    @property
    def unsent_changes(self) -> bool:
        """Invited once, and this version has not gone to the participants."""
        return self.invited and self.needs_invitation


class ActionItem(Answer):
    id: str
    title: str
    owner_user_id: str
    due_on: date
    done: bool = False


class MeetingOutcome(Answer):
    meeting: Meeting
    action_items: list[ActionItem] = Field(default_factory=list)
    next_meeting: Meeting | None = None


class ProgressUpdate(Answer):
    id: str
    text: str
    recipients: int
    newsletter_block: dict[str, str] = Field(default_factory=dict)
    created_at: datetime


class MatterDetail(Matter):
    """A matter with every meeting's action items and its progress updates, newest first."""

    action_items: list[ActionItem] = Field(default_factory=list)
    updates: list[ProgressUpdate] = Field(default_factory=list)


class EvaluationSummary(Answer):
    evaluations: int
    averages: dict[str, float] = Field(default_factory=dict)
    comments: list[str] = Field(default_factory=list)


# -- planning (the registry's /planning): counts of many, a suppressed one is None -----


class PlanningScope(Answer):
    municipality: OrganisationRef
    organisations: list[OrganisationRef] = Field(default_factory=list)
    default_k: int
    neighbour_weight: float
    demo_reference: bool = False


class PlanningFigures(Answer):
    supply: int | None = None
    supply_suppressed: bool = False
    demand: int | None = None
    demand_suppressed: bool = False
    population: int | None = None
    supply_per_1000: float | None = None
    demand_per_1000: float | None = None


class PlanningCategory(PlanningFigures):
    code: str
    label: str


class PlanningDistrict(PlanningFigures):
    code: str
    name: str


class PlanningCoverage(Answer):
    municipality: OrganisationRef
    organisations: int
    k: int
    computed_at: datetime
    districts: list[PlanningDistrict] = Field(default_factory=list)
    categories: list[PlanningCategory] = Field(default_factory=list)
    total: PlanningFigures


class DistrictMeasures(PlanningFigures):
    """One district's figures exactly as the map colours it."""

    code: str
    name: str
    neighbour_supply: int | None = None
    covered: float | None = None
    unmet: float | None = None
    unmet_per_1000: float | None = None
    partial: bool = False


class DistrictFeature(Answer):
    properties: DistrictMeasures


class DistrictCollection(Answer):
    k: int
    category_code: str | None = None
    neighbour_weight: float
    features: list[DistrictFeature] = Field(default_factory=list)


class Gap(Answer):
    district_code: str | None = None
    district_name: str | None = None
    category_code: str | None = None
    category_label: str | None = None
    demand: int
    supply: int | None = None
    neighbour_supply: int
    covered: float
    unmet: float
    unmet_per_1000: float | None = None
    partial: bool = False


class Gaps(Answer):
    k: int
    level: str
    neighbour_weight: float
    computed_at: datetime
    gaps: list[Gap] = Field(default_factory=list)


class TrendPoint(Answer):
    month: date
    organisations: int
    supply: int | None = None
    supply_suppressed: bool = False
    demand: int | None = None
    demand_suppressed: bool = False
    supply_change: int | None = None
    demand_change: int | None = None


class Trends(Answer):
    district_code: str | None = None
    category_code: str | None = None
    k: int | None = None
    points: list[TrendPoint] = Field(default_factory=list)


class StatisticsShares(Answer):
    shares_with: list[OrganisationRef] = Field(default_factory=list)
    shared_with_us: list[OrganisationRef] = Field(default_factory=list)


class OrganisationListing(Answer):
    id: str
    name: str
    kind: str


# -- eco-maps and the pool network (matching's /support-users/{id}/eco-map, /networks) ----


class EcoMapMember(Answer):
    id: str
    name: str
    partner_id: str | None = None
    relation: str
    ring: str
    support: list[str] = Field(default_factory=list)
    reciprocity: str
    frequency: str
    note: str | None = None


class GuidingQuestion(Answer):
    code: str
    fi: str
    en: str


class EcoMap(Answer):
    support_user_id: str
    members: list[EcoMapMember] = Field(default_factory=list)
    guiding_questions: list[GuidingQuestion] = Field(default_factory=list)
    updated_at: datetime | None = None


class EcoMapSnapshot(Answer):
    id: str
    label: str
    taken_at: datetime
    size: int


class EcoMapSnapshotDetail(EcoMapSnapshot):
    members: list[EcoMapMember] = Field(default_factory=list)


class EcoMapMetrics(Answer):
    size: int
    by_relation: dict[str, int] = Field(default_factory=dict)
    by_ring: dict[str, int] = Field(default_factory=dict)
    by_support: dict[str, int] = Field(default_factory=dict)
    sector_diversity: int  # relation sectors with a member
    sector_entropy: float | None = None
    paid_share: float
    unpaid_share: float
    density: float
    reciprocity: float  # the share of mutual ties


class RingChange(Answer):
    name: str
    from_ring: str
    to_ring: str


class Sentences(Answer):
    fi: list[str] = Field(default_factory=list)
    en: list[str] = Field(default_factory=list)

    def of(self, language: str) -> list[str]:
        return self.en if language == "en" else self.fi


class EcoMapComparison(Answer):
    before: EcoMapMetrics
    after: EcoMapMetrics
    added: list[str] = Field(default_factory=list)
    lost: list[str] = Field(default_factory=list)
    changed: list[RingChange] = Field(default_factory=list)
    summary: Sentences


class NetworkNode(Answer):
    key: str
    kind: str
    label: str | None = None
    named: bool = False
    own: bool = False
    degree: int = 0
    betweenness: float = 0.0
    community: int | None = None


class NetworkEdge(Answer):
    source: str
    target: str
    strength: str


class BetweennessMethod(Answer):
    method: str  # exact | sampled
    samples: int | None = None
    error: float | None = None
    note: str = ""


class SharingFinding(Answer):
    nodes: list[str] = Field(default_factory=list)
    reason: str = ""
    would_split: int = 0


class NetworkFindings(Answer):
    brokers: list[str] = Field(default_factory=list)
    articulation_points: list[str] = Field(default_factory=list)
    bridges: list[list[str]] = Field(default_factory=list)
    isolates: list[str] = Field(default_factory=list)
    communities: list[list[str]] = Field(default_factory=list)
    strong_ties: int = 0
    weak_ties: int = 0
    information_sharing: list[SharingFinding] = Field(default_factory=list)


class PoolNetwork(Answer):
    nodes: list[NetworkNode] = Field(default_factory=list)
    edges: list[NetworkEdge] = Field(default_factory=list)
    betweenness: BetweennessMethod
    findings: NetworkFindings
    summary: Sentences


class NetworkEnd(Answer):
    kind: str
    id: str


class Acquaintance(Answer):
    id: str
    a: NetworkEnd
    b: NetworkEnd
    strength: str
    recorded_by: str | None = None
    created_at: datetime | None = None
