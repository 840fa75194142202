"""The registry's codes (partner kinds, tie strengths, consent purposes, activity kinds…)
as words a person reads, marked for translation here and translated where shown."""

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
}
