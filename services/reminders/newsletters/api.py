"""Routes for newsletters: staff compose, preview, schedule and send an issue and follow
each recipient; an admin records a bounce; and a partner's unsubscribe link, which needs
no login (``GET`` shows a confirmation form, ``POST`` unsubscribes, as RFC 8058's
one-click unsubscribe also does)."""

from html import escape
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse

from services.reminders import tasks
from services.reminders.newsletters import service
from services.reminders.newsletters.models import IssueStatus
from services.reminders.newsletters.schemas import (
    BounceIn,
    BounceOut,
    IssueIn,
    IssueOut,
    PreviewOut,
    RecipientOut,
    SendOut,
    UnsubscribeOut,
)
from services.reminders.runtime import RemindersDep
from shared.auth import Principal, require_roles
from shared.auth.deps import AdminDep
from shared.deps import SessionDep
from shared.errors import NotFound, error_body

newsletters = APIRouter(prefix="/newsletters", tags=["newsletters"])
unsubscribing = APIRouter(tags=["newsletters"])
StaffDep = Annotated[Principal, Depends(require_roles("admin", "staff", "coordinator"))]
Token = Annotated[str, Path(min_length=1, max_length=100)]


@newsletters.post("", response_model=IssueOut, status_code=201, summary="Write an issue")
def create(body: IssueIn, principal: StaffDep, session: SessionDep) -> IssueOut:
    """A draft, or scheduled when ``scheduled_at`` is given."""
    return service.out(session, service.create(session, principal, body))


@newsletters.get("", response_model=list[IssueOut], summary="The organisation's issues")
def list_issues(
    principal: StaffDep,
    session: SessionDep,
    status: IssueStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[IssueOut]:
    found = service.issues(session, principal, status.value if status else None, limit)
    return [service.out(session, issue) for issue in found]


@newsletters.post("/bounces", response_model=BounceOut, summary="Record a reported bounce")
def bounce(body: BounceIn, admin: AdminDep, session: SessionDep) -> BounceOut:
    """A bounce the mail system reported after the e-mail left, by the e-mail's
    Message-ID; the delivery becomes `failed` with a "bounced" error."""
    return service.record_bounce(session, admin, body)


@newsletters.get("/{issue_id}", response_model=IssueOut)
def get_issue(issue_id: str, principal: StaffDep, session: SessionDep) -> IssueOut:
    issue = service.find(session, principal, issue_id)
    service.settle(session, issue)
    return service.out(session, issue)


@newsletters.put("/{issue_id}", response_model=IssueOut, summary="Change a draft or schedule")
def replace(issue_id: str, body: IssueIn, principal: StaffDep, session: SessionDep) -> IssueOut:
    """Without ``scheduled_at`` a scheduled issue becomes a draft again."""
    return service.out(session, service.replace(session, principal, issue_id, body))


@newsletters.delete("/{issue_id}", status_code=204, summary="Delete a draft or scheduled issue")
def remove(issue_id: str, principal: StaffDep, session: SessionDep) -> Response:
    service.remove(session, principal, issue_id)
    return Response(status_code=204)


@newsletters.get("/{issue_id}/preview", response_model=PreviewOut)
def preview(
    issue_id: str, principal: StaffDep, session: SessionDep, reminders: RemindersDep
) -> PreviewOut:
    """The e-mail's text and HTML as a recipient would get them now."""
    return service.preview(session, reminders, principal, issue_id)


@newsletters.post("/{issue_id}/send", response_model=SendOut, summary="Send now")
def send(
    issue_id: str, principal: StaffDep, session: SessionDep, reminders: RemindersDep
) -> SendOut:
    """One delivery for each partner who may receive the issue now; queued after the
    commit (outside the organisation's quiet hours; in them, when they end)."""
    issue, written, queued = service.send_now(session, reminders, principal, issue_id)
    result = SendOut(issue=service.out(session, issue), recipients=written)
    session.commit()
    tasks.enqueue(queued)
    return result


@newsletters.get("/{issue_id}/deliveries", response_model=list[RecipientOut])
def deliveries(
    issue_id: str,
    principal: StaffDep,
    session: SessionDep,
    reminders: RemindersDep,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[RecipientOut]:
    """Each recipient's state: delivery status, when sent, bounced, unsubscribed."""
    return service.recipients(session, reminders, principal, issue_id, limit, offset)


# --- the unsubscribe link ---------------------------------------------------------------

PAGES = {
    "fi": {
        "title": "Uutiskirjeen tilauksen peruminen",
        "ask": "Haluatko, ettei sinulle enää lähetetä tätä uutiskirjettä?",
        "button": "Peru tilaus",
        "done": "Tilaus on peruttu. Sinulle ei enää lähetetä uutiskirjettä.",
        "invalid": "Tämä linkki ei ole voimassa.",
    },
    "en": {
        "title": "Unsubscribe from the newsletter",
        "ask": "Do you want to stop receiving this newsletter?",
        "button": "Unsubscribe",
        "done": "You have been unsubscribed. You will not receive the newsletter any more.",
        "invalid": "This link is not valid.",
    },
}


def _page(language: str, body: str, status: int = 200) -> HTMLResponse:
    words = PAGES.get(language, PAGES["fi"])
    return HTMLResponse(
        "<!DOCTYPE html>\n"
        f'<html lang="{escape(language)}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="robots" content="noindex">\n'
        f"<title>{escape(words['title'])}</title>\n</head>\n"
        '<body style="font-family: sans-serif; line-height: 1.5; max-width: 40em; '
        'margin: 0 auto; padding: 1em;">\n'
        f"<h1>{escape(words['title'])}</h1>\n{body}</body>\n</html>\n",
        status_code=status,
        headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"},
    )


def _wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "")


def _invalid(request: Request) -> Response:
    if _wants_json(request):
        return JSONResponse(error_body("not_found", "this unsubscribe link is not valid"), 404)
    language = "en" if request.headers.get("accept-language", "").startswith("en") else "fi"
    return _page(language, f"<p>{escape(PAGES[language]['invalid'])}</p>\n", 404)


@unsubscribing.get(
    "/unsubscribe/{token}", response_class=HTMLResponse, summary="The unsubscribe form"
)
def unsubscribe_form(
    token: Token, request: Request, session: SessionDep, reminders: RemindersDep
) -> Response:
    """A confirmation form; nothing changes until it is sent (a link checker opening the
    link unsubscribes nobody)."""
    try:
        issue = service.unsubscribe_target(session, reminders, token)
    except NotFound:
        return _invalid(request)
    words = PAGES.get(issue.language, PAGES["fi"])
    return _page(
        issue.language,
        f"<p>{escape(words['ask'])}</p>\n"
        f'<form method="post" action="{escape(str(request.url.path), quote=True)}">\n'
        f'<button type="submit">{escape(words["button"])}</button>\n</form>\n',
    )


@unsubscribing.post(
    "/unsubscribe/{token}",
    response_model=UnsubscribeOut,
    responses={200: {"content": {"text/html": {}}}},
    summary="Unsubscribe (no login; RFC 8058 one-click)",
)
def unsubscribe(
    token: Token, request: Request, session: SessionDep, reminders: RemindersDep
) -> Response:
    """Withdraws the partner's `newsletter` consent in the registry; no newsletter waiting
    for the partner is sent. JSON for ``Accept: application/json``, otherwise a page."""
    try:
        issue = service.unsubscribe(session, reminders, token)
    except NotFound:
        return _invalid(request)
    if _wants_json(request):
        return JSONResponse(UnsubscribeOut().model_dump())
    words = PAGES.get(issue.language, PAGES["fi"])
    return _page(issue.language, f"<p>{escape(words['done'])}</p>\n")


router = APIRouter()
router.include_router(newsletters)
router.include_router(unsubscribing)
