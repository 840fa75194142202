"""Imports every registry model so the metadata is complete (for migrations and tests)."""

from services.registry.access import models as access_models
from services.registry.activities import models as activity_models
from services.registry.audit import models as audit_models
from services.registry.consent import models as consent_models
from services.registry.districts import models as district_models
from services.registry.identity import models as identity_models
from services.registry.partners import models as partner_models
from services.registry.planning import models as planning_models
from services.registry.pools import models as pool_models
from services.registry.reference import models as reference_models

__all__ = [
    "access_models",
    "activity_models",
    "audit_models",
    "consent_models",
    "district_models",
    "identity_models",
    "partner_models",
    "planning_models",
    "pool_models",
    "reference_models",
]
