"""Imports every registry model so the metadata is complete (for migrations and tests)."""

from services.registry.audit import models as audit_models
from services.registry.identity import models as identity_models
from services.registry.pools import models as pool_models

__all__ = ["audit_models", "identity_models", "pool_models"]
