"""Imports every matching model so the metadata is complete."""

from services.matching.index import models as index_models
from services.matching.networks import models as network_models
from services.matching.pools import models as pool_models
from services.matching.reference import models as reference_models
from services.matching.referrals import models as referral_models
from services.matching.support_users import models as support_user_models
from services.matching.wishes import models as wish_models

__all__ = [
    "index_models",
    "network_models",
    "pool_models",
    "reference_models",
    "referral_models",
    "support_user_models",
    "wish_models",
]
