"""Imports every reminders model so the metadata is complete."""

from services.reminders.operations import models as operation_models
from services.reminders.organisations import models as organisation_models

__all__ = ["operation_models", "organisation_models"]
