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
    participants: list[MeetingParticipant] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)

    @property
    def changeable(self) -> bool:
        return self.status in ("planned", "proposed")


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


class EvaluationSummary(Answer):
    evaluations: int
    averages: dict[str, float] = Field(default_factory=dict)
    comments: list[str] = Field(default_factory=list)
