"""Imports every matching model so the metadata is complete."""

from services.matching.pools import models as pool_models

__all__ = ["pool_models"]
