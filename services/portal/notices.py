"""One-shot notices ("The activity was logged.") shown on the next page. The session holds
only the notice's code, never its text or anything personal."""

from starlette.requests import Request

from services.portal.i18n import N_
from services.portal.tokens import NOTICE

NOTICES = {
    "logged_out": N_("You have logged out."),
    "partner_created": N_("The partner was added to the resource file."),
    "partner_pending": N_(
        "The partner was saved as waiting for consent: only the name and a way to ask are kept."
    ),
    "partner_saved": N_("The card was saved."),
    "activity_logged": N_("The activity was logged and the last contact updated."),
    "contribution_added": N_("The contribution was added."),
    "consent_recorded": N_("The consent was recorded."),
    "consent_withdrawn": N_("The consent was withdrawn."),
    "nothing_withdrawn": N_("Nothing was withdrawn: choose at least one consent."),
    "competence_added": N_("The card was added."),
    "competence_removed": N_("The card was removed."),
    "note_saved": N_("The note was saved."),
    "assignments_saved": N_("The district's team was saved."),
    "support_user_created": N_("The support user was added."),
    "support_user_saved": N_("The details were saved."),
    "support_user_consent_recorded": N_("The consent was recorded."),
    "wish_added": N_("The wish was added."),
    "wish_saved": N_("The wish was saved."),
    "check_item_added": N_("It was added to the resource check."),
    "check_item_removed": N_("It was removed from the resource check."),
    "referral_proposed": N_("The referral was proposed. Follow it under Referrals."),
    "referral_step_recorded": N_("The step was recorded."),
    "my_wish_added": N_("Thank you! Your wish is saved."),
    "my_consent_given": N_("Thank you! You can now see ideas for your wishes."),
    "my_consent_withdrawn": N_("Done. You will not get new ideas until you say yes again."),
    "due_item_done": N_("The item was marked done."),
    "due_item_snoozed": N_("The item was snoozed. It comes back when the time is up."),
    "delivery_settings_saved": N_("Your settings were saved."),
    "policy_saved": N_("The cadences were saved. They apply to every partner at once."),
    "delivery_retried": N_("The delivery was queued to be sent again."),
    "newsletter_saved": N_("The newsletter was saved as a draft."),
    "newsletter_scheduled": N_("The newsletter was saved. It will be sent at the time set."),
    "newsletter_sent": N_("The newsletter is on its way. Follow each recipient below."),
    "newsletter_no_recipients": N_(
        "Nobody could receive the newsletter: no partner who may receive it has an e-mail address."
    ),
    "newsletter_deleted": N_("The newsletter was deleted."),
    "bounce_recorded": N_("The bounce was recorded and the delivery marked failed."),
    "matter_created": N_("The matter was saved. Start with the planning checklist."),
    "step_saved": N_("The step was saved."),
    "meeting_created": N_("The meeting was saved. Send the invitations when it is ready."),
    "meeting_invited": N_(
        "The invitations are on their way, each with a calendar entry. Record the replies below."
    ),
    "meeting_saved": N_("The meeting was saved."),
    "meeting_updated_sent": N_(
        "The meeting was changed. Every participant gets the change as an update to their "
        "calendar entry."
    ),
    "meeting_cancelled": N_("The meeting was cancelled."),
    "meeting_cancelled_sent": N_(
        "The meeting was cancelled. Every participant gets the cancellation in their calendar."
    ),
    "reply_recorded": N_("The reply was recorded."),
    "outcome_recorded": N_(
        "The outcome was recorded. The tasks are now reminders to their owners, and the next "
        "meeting is in the series below."
    ),
    "outcome_recorded_no_next": N_(
        "The outcome was recorded. The tasks are now reminders to their owners."
    ),
    "outcome_confirmed": N_("The confirmation was recorded."),
    "evaluation_saved": N_(
        "The evaluation was saved without a name. You can enter the next one below."
    ),
    "matter_saved": N_("The matter was saved."),
    "matter_closed": N_(
        "The matter was closed. Its series has ended: no new meetings are planned for it. "
        "You can reopen it on this page."
    ),
    "matter_reopened": N_("The matter was reopened. You can plan meetings for it again."),
    "action_item_done": N_("The task was marked done. Its reminder to the owner was cancelled."),
    "action_item_undone": N_("The task was marked not done. Its reminder to the owner is back."),
    "participant_added": N_(
        "The participant was added. They get the invitation when you send the invitations."
    ),
    "participant_added_invited": N_(
        "The participant was added and the invitation with a calendar entry was sent to them. "
        "The others get nothing new."
    ),
    "participant_removed": N_(
        "The participant was taken off. No invitation had been sent, so nothing was sent to them."
    ),
    "participant_removed_cancelled": N_(
        "The participant was taken off and a cancellation was sent to their calendar. The "
        "others get nothing new."
    ),
}


def notify(request: Request, code: str) -> None:
    if code in NOTICES:
        request.session[NOTICE] = code


def take_notice(request: Request) -> str:
    """The pending notice's message id (translated where shown), once; else ``""``."""
    return NOTICES.get(request.session.pop(NOTICE, ""), "")
