"""Imports every reminders model so the metadata is complete."""

from services.reminders.deliveries import models as delivery_models
from services.reminders.meetings import models as meeting_models
from services.reminders.newsletters import models as newsletter_models
from services.reminders.operations import models as operation_models
from services.reminders.organisations import models as organisation_models
from services.reminders.people import models as people_models
from services.reminders.schedules import models as schedule_models

__all__ = [
    "delivery_models",
    "meeting_models",
    "newsletter_models",
    "operation_models",
    "organisation_models",
    "people_models",
    "schedule_models",
]
