"""The services' codes (partner kinds, tie strengths, consent purposes, activity kinds,
wish and referral statuses…) as words a person reads, marked for translation here and
translated where shown."""

from services.portal.i18n import N_

PARTNER_KINDS = {
    "organisation": N_("Organisation"),
    "citizen": N_("Citizen"),
}
PARTNER_STATUSES = {
    "active": N_("Active"),
    "inactive": N_("Inactive"),
    "pending": N_("Waiting for consent"),
}
TIE_STRENGTHS = {
    "strong": N_("Strong tie"),
    "weak": N_("Weak tie"),
}
ACTIVITY_KINDS = {
    "contact": N_("Contact"),
    "meeting": N_("Meeting"),
    "event": N_("Event"),
    "newsletter": N_("Newsletter"),
    "greeting": N_("Greeting"),
    "project": N_("Project"),
    "training": N_("Training"),
}
# The purposes a partner consents to one by one, in the order the forms list them.
SIMPLE_PURPOSES = {
    "file": N_("Keeping the card in our resource file"),
    "team": N_("Showing the card to our whole team"),
    "matching": N_("Proposing them to the people we support"),
    "newsletter": N_("Sending newsletters"),
    "greetings": N_("Sending greetings, such as on a birthday"),
    "statistics": N_("Counting them in statistics"),
}
CONSENT_METHODS = {
    "written": N_("In writing"),
    "verbal": N_("Verbally"),
    "electronic": N_("Electronically"),
}
SHARE_SCOPES = {
    "basic": N_("Basic details: name, offers, skills and resources"),
    "contact": N_("Also contact details and the contact person"),
}
SHARE_SCOPES_SHORT = {
    "basic": N_("basic details"),
    "contact": N_("with contact details"),
}
CONSENT_ACTIONS = {
    "granted": N_("Given"),
    "withdrawn": N_("Withdrawn"),
}
COMPETENCE_KINDS = {
    "competence": N_("Competence card"),
    "strength": N_("Strength card"),
}
COMPETENCE_DOMAINS = {
    "housework": N_("Housework"),
    "health_care": N_("Health care"),
    "crafts": N_("Crafts"),
    "office_work": N_("Office work"),
    "languages": N_("Languages"),
    "technology": N_("Technology"),
    "outdoors": N_("Outdoors"),
    "arts": N_("Arts"),
    "sports": N_("Sports"),
    "care": N_("Care"),
    "cooking": N_("Cooking"),
    "teaching": N_("Teaching"),
    "other": N_("Other"),
}
WEEKDAYS = {
    1: N_("Monday"),
    2: N_("Tuesday"),
    3: N_("Wednesday"),
    4: N_("Thursday"),
    5: N_("Friday"),
    6: N_("Saturday"),
    7: N_("Sunday"),
}
ACCESS_ACTIONS = {
    "read": N_("Opened the card"),
    "search": N_("Found in a search"),
    "export": N_("Exported"),
}
SCOPES = {
    "all": N_("Own and shared"),
    "own": N_("Only our own"),
    "shared": N_("Only shared with us"),
}

# -- support users (the matching service's codes) ------------------------------------------

SPOKEN_LANGUAGES = {
    "fi": N_("Finnish"),
    "sv": N_("Swedish"),
    "en": N_("English"),
}
ACCESSIBILITY_NEEDS = {
    "step_free": N_("Needs step-free access"),
    "company_to_travel": N_("Needs someone to travel with"),
    "easy_read": N_("Needs information in easy-read"),
}
SUPPORT_USER_STATUSES = {
    "active": N_("Supported now"),
    "ended": N_("Support ended"),
}
SUPPORT_USER_PURPOSES = {
    "matching": N_("Getting suggestions of community resources for their wishes"),
    "share_details": N_("Passing their name, languages and needs to a partner in a referral"),
}
WISH_STATUSES = {
    "open": N_("Open"),
    "in_progress": N_("In progress"),
    "fulfilled": N_("Fulfilled"),
    "dropped": N_("Dropped"),
}
WISH_PRIORITIES = {
    1: N_("High"),
    2: N_("Normal"),
    3: N_("Low"),
}
# How the wish was found out, from person-centred planning.
WISH_METHODS = {
    "conversation": N_("A conversation"),
    "my_strengths": N_("My strengths"),
    "what_is_important_to_me": N_("What is important to me"),
    "good_day_bad_day": N_("A good day, a bad day"),
    "dreams": N_("Dreams"),
    "own_words": N_("In their own words"),
    "other": N_("Another way"),
}
RESOURCE_CHECK_KINDS = {
    "strength": N_("Strengths"),
    "skill": N_("Skills"),
    "possession": N_("Things they have"),
    "relationship": N_("People they know"),
    "social_space": N_("Resources around them"),
}
REFERRAL_STATUSES = {
    "proposed": N_("Proposed"),
    "contacted": N_("Partner contacted"),
    "accepted": N_("Accepted"),
    "declined": N_("Declined"),
    "active": N_("Going on"),
    "ended": N_("Ended"),
}
REFERRAL_OUTCOMES = {
    "wish_fulfilled": N_("The wish came true"),
    "partly": N_("The wish came partly true"),
    "not_fulfilled": N_("The wish did not come true"),
    "withdrawn": N_("The person changed their mind"),
}

# The same in plain language, for the support user's own page.
MY_WISH_STATUSES = {
    "open": N_("Waiting"),
    "in_progress": N_("We are working on it"),
    "fulfilled": N_("It came true"),
    "dropped": N_("You let it go"),
}
MY_REFERRAL_STATUSES = {
    "proposed": N_("Your worker has picked this for you"),
    "contacted": N_("Your worker has asked them"),
    "accepted": N_("They said yes"),
    "declined": N_("They said no this time"),
    "active": N_("You are doing this now"),
    "ended": N_("This has ended"),
}
MY_RESOURCE_CHECK_KINDS = {
    "strength": N_("I am good at"),
    "skill": N_("I know how to"),
    "possession": N_("I have"),
    "relationship": N_("People I know"),
    "social_space": N_("Near me"),
}

# -- reminders (the reminders service's codes) ---------------------------------------------

# What a due item or a delivery is about.
REMINDER_KINDS = {
    "upkeep": N_("Time to keep in touch"),
    "consent_renewal": N_("Consent about to expire: ask to renew it"),
    "consent_request": N_("Waiting for consent: ask for it"),
    "stale_card": N_("Card not updated for a long time: check it"),
    "referral_follow_up": N_("Follow up a referral"),
    "greeting": N_("Greeting"),
    "digest": N_("Daily summary of due items"),
    "newsletter": N_("Newsletter"),
    "action_item": N_("A task agreed at a review meeting"),
    "meeting_invitation": N_("Meeting invitation"),
    "meeting_cancel": N_("Meeting cancelled"),
    "matter_update": N_("Progress update on a matter"),
}
# Kinds whose subject is a partner, shown with a link to the partner's card.
PARTNER_SUBJECT_KINDS = frozenset(
    {"upkeep", "consent_renewal", "consent_request", "stale_card", "greeting"}
)
DUE_ITEM_STATUSES = {
    "open": N_("Open"),
    "snoozed": N_("Snoozed"),
    "done": N_("Done"),
}
SNOOZE_DAYS = {
    1: N_("1 day"),
    3: N_("3 days"),
    7: N_("1 week"),
    14: N_("2 weeks"),
    30: N_("1 month"),
}
DELIVERY_STATUSES = {
    "failed": N_("Failed"),
    "pending": N_("Waiting for its time"),
    "queued": N_("In the queue"),
    "sending": N_("Being sent"),
    "sent": N_("Sent"),
    "held": N_("Held for the daily summary"),
    "cancelled": N_("Cancelled"),
}
DELIVERY_CHANNELS = {
    "email": N_("E-mail"),
    "in_app": N_("In Kortisto"),
}
RECIPIENT_KINDS = {
    "staff": N_("Staff member"),
    "partner": N_("Partner"),
    "participant": N_("Meeting participant"),
}
QUEUES = {
    "registry": N_("Registry events"),
    "matching": N_("Matching events"),
    "reminders": N_("Reminders: scans and events"),
    "deliveries": N_("Messages to send"),
}
NEWSLETTER_STATUSES = {
    "draft": N_("Draft"),
    "scheduled": N_("Scheduled"),
    "sending": N_("Sending"),
    "sent": N_("Sent"),
}
NEWSLETTER_BLOCKS = {
    "news": N_("News"),
    "event": N_("Event"),
    "new_partners": N_("New partners"),
    "thanks": N_("Thanks"),
}
NEWSLETTER_LANGUAGES = {
    "fi": N_("Finnish"),
    "en": N_("English"),
}

# -- review meetings (the reminders service's codes) ----------------------------------------

URGENCIES = {
    "low": N_("Can wait"),
    "normal": N_("Normal"),
    "high": N_("Pressing"),
    "urgent": N_("Urgent"),
}
DECISION_LEVELS = {
    "official": N_("An official can decide"),
    "political": N_("A political decision is needed"),
}
CADENCES = {
    "": N_("No regular meetings"),
    "6": N_("Twice a year"),
    "12": N_("Once a year"),
}
MATTER_STATUSES = {
    "open": N_("Going on"),
    "closed": N_("Closed"),
}
# The planning checklist: each step's name and what it means.
PLANNING_STEPS = {
    "federation_contact": N_("First contact with the federation"),
    "choose_invitees": N_("Choosing whom to invite"),
    "contact_municipality": N_("Contacting the municipality"),
    "agree_arrangements": N_("Time, place and invitations"),
    "book_expert": N_("Booking a federation expert"),
}
PLANNING_STEP_HINTS = {
    "federation_contact": N_("Tell the federation the need, the goal and the schedule."),
    "choose_invitees": N_(
        "The officials who can decide the matter, and the decision-makers when a political "
        "decision is needed. At most about ten people."
    ),
    "contact_municipality": N_("Tell the municipality why the meeting is needed."),
    "agree_arrangements": N_("Agree the time and the place, and who sends the invitations."),
    "book_expert": N_("An expert of the federation joins the meeting remotely."),
}
STEP_STATUSES = {
    "todo": N_("Not started"),
    "doing": N_("Under way"),
    "done": N_("Done"),
    "not_needed": N_("Not needed"),
}
PARTICIPANT_ROLES = {
    "association_officer": N_("Association officer"),
    "concerned": N_("Person the matter concerns"),
    "official": N_("Municipal official"),
    "decision_maker": N_("Decision-maker"),
    "federation_staff": N_("Federation staff"),
    "remote_expert": N_("Expert joining remotely"),
}
REPLIES = {
    "needs_action": N_("No reply yet"),
    "accepted": N_("Coming"),
    "tentative": N_("Maybe"),
    "declined": N_("Cannot come"),
}
MEETING_STATUSES = {
    "proposed": N_("Proposed from the series"),
    "planned": N_("Planned"),
    "held": N_("Held"),
    "cancelled": N_("Cancelled"),
}
# The five questions of the evaluation after a meeting, each answered 1-5.
EVALUATION_QUESTIONS = {
    "aim_clear": N_("The aim of the meeting was clear."),
    "right_people": N_("The right people were there."),
    "everyone_heard": N_("Everyone was heard."),
    "outcome_realistic": N_("The outcome is realistic."),
    "next_steps_clear": N_("The next steps are clear."),
}
EVALUATION_SCALE = {
    "1": N_("1 – not at all"),
    "2": "2",
    "3": "3",
    "4": "4",
    "5": N_("5 – fully"),
}

# -- eco-maps and the pool network (the matching service's codes) ------------------------

ECO_RELATIONS = {
    "family": N_("Family"),
    "friend": N_("Friends"),
    "neighbour": N_("Neighbours"),
    "staff": N_("Staff and professionals"),
    "community": N_("Clubs, associations and other communities"),
    "work_school": N_("Work or school"),
}
ECO_RINGS = {
    "inner": N_("Inner ring: the closest"),
    "middle": N_("Middle ring"),
    "outer": N_("Outer ring: further away"),
}
ECO_SUPPORT = {
    "company": N_("Company, doing things together"),
    "practical": N_("Practical help"),
    "advice": N_("Advice and information"),
    "emotional": N_("Emotional support"),
}
ECO_RECIPROCITY = {
    "mutual": N_("Both give and receive"),
    "gives": N_("They give to the person"),
    "receives": N_("The person gives to them"),
}
ECO_FREQUENCIES = {
    "daily": N_("Daily"),
    "weekly": N_("Weekly"),
    "monthly": N_("Monthly"),
    "yearly": N_("A few times a year"),
    "rarely": N_("Rarely"),
}
# The same in plain language, for the support user's own eco-map.
MY_ECO_RELATIONS = {
    "family": N_("From my family"),
    "friend": N_("A friend"),
    "neighbour": N_("A neighbour"),
    "staff": N_("A worker or a helper"),
    "community": N_("From a club or a group"),
    "work_school": N_("From work or school"),
}
MY_ECO_RINGS = {
    "inner": N_("Very close to me"),
    "middle": N_("Close to me"),
    "outer": N_("A bit further away"),
}
MY_ECO_SUPPORT = {
    "company": N_("We spend time together"),
    "practical": N_("Helps me with things"),
    "advice": N_("Gives me advice"),
    "emotional": N_("Listens to me and cares about me"),
}
MY_ECO_RECIPROCITY = {
    "mutual": N_("We help each other"),
    "gives": N_("They help me"),
    "receives": N_("I help them"),
}
MY_ECO_FREQUENCIES = {
    "daily": N_("Every day"),
    "weekly": N_("Every week"),
    "monthly": N_("Every month"),
    "yearly": N_("A few times a year"),
    "rarely": N_("Not often"),
}
NETWORK_NODE_KINDS = {
    "partner": N_("Partner"),
    "support_user": N_("Support user"),
    "staff": N_("Staff member"),
}
# A node whose name the viewer may not see.
UNNAMED_NODES = {
    "partner": N_("Partner (name not shown)"),
    "support_user": N_("Support user (name not shown)"),
    "staff": N_("Staff member (name not shown)"),
}

ALL = {
    "partner_kinds": PARTNER_KINDS,
    "partner_statuses": PARTNER_STATUSES,
    "tie_strengths": TIE_STRENGTHS,
    "activity_kinds": ACTIVITY_KINDS,
    "simple_purposes": SIMPLE_PURPOSES,
    "consent_methods": CONSENT_METHODS,
    "share_scopes": SHARE_SCOPES,
    "share_scopes_short": SHARE_SCOPES_SHORT,
    "consent_actions": CONSENT_ACTIONS,
    "competence_kinds": COMPETENCE_KINDS,
    "competence_domains": COMPETENCE_DOMAINS,
    "weekdays": WEEKDAYS,
    "access_actions": ACCESS_ACTIONS,
    "scopes": SCOPES,
    "spoken_languages": SPOKEN_LANGUAGES,
    "accessibility_needs": ACCESSIBILITY_NEEDS,
    "support_user_statuses": SUPPORT_USER_STATUSES,
    "support_user_purposes": SUPPORT_USER_PURPOSES,
    "wish_statuses": WISH_STATUSES,
    "wish_priorities": WISH_PRIORITIES,
    "wish_methods": WISH_METHODS,
    "resource_check_kinds": RESOURCE_CHECK_KINDS,
    "referral_statuses": REFERRAL_STATUSES,
    "referral_outcomes": REFERRAL_OUTCOMES,
    "my_wish_statuses": MY_WISH_STATUSES,
    "my_referral_statuses": MY_REFERRAL_STATUSES,
    "my_resource_check_kinds": MY_RESOURCE_CHECK_KINDS,
    "reminder_kinds": REMINDER_KINDS,
    "due_item_statuses": DUE_ITEM_STATUSES,
    "snooze_days": SNOOZE_DAYS,
    "delivery_statuses": DELIVERY_STATUSES,
    "delivery_channels": DELIVERY_CHANNELS,
    "recipient_kinds": RECIPIENT_KINDS,
    "queues": QUEUES,
    "newsletter_statuses": NEWSLETTER_STATUSES,
    "newsletter_blocks": NEWSLETTER_BLOCKS,
    "newsletter_languages": NEWSLETTER_LANGUAGES,
    "urgencies": URGENCIES,
    "decision_levels": DECISION_LEVELS,
    "cadences": CADENCES,
    "matter_statuses": MATTER_STATUSES,
    "planning_steps": PLANNING_STEPS,
    "planning_step_hints": PLANNING_STEP_HINTS,
    "step_statuses": STEP_STATUSES,
    "participant_roles": PARTICIPANT_ROLES,
    "replies": REPLIES,
    "meeting_statuses": MEETING_STATUSES,
    "evaluation_questions": EVALUATION_QUESTIONS,
    "evaluation_scale": EVALUATION_SCALE,
    "eco_relations": ECO_RELATIONS,
    "eco_rings": ECO_RINGS,
    "eco_support": ECO_SUPPORT,
    "eco_reciprocity": ECO_RECIPROCITY,
    "eco_frequencies": ECO_FREQUENCIES,
    "my_eco_relations": MY_ECO_RELATIONS,
    "my_eco_rings": MY_ECO_RINGS,
    "my_eco_support": MY_ECO_SUPPORT,
    "my_eco_reciprocity": MY_ECO_RECIPROCITY,
    "my_eco_frequencies": MY_ECO_FREQUENCIES,
    "network_node_kinds": NETWORK_NODE_KINDS,
    "unnamed_nodes": UNNAMED_NODES,
}
