"""What matching's routes and tasks share for the life of a process."""

from dataclasses import dataclass
from functools import cache

from services.matching.models import SCHEMA
from services.matching.settings import MatchingSettings
from shared.database import Database


@dataclass
class Matching:
    settings: MatchingSettings
    database: Database

    @classmethod
    def build(cls, settings: MatchingSettings) -> "Matching":
        return cls(settings, Database(settings.resolved_database_url(), SCHEMA))


@cache
def worker_runtime() -> Matching:
    """The runtime of a Celery worker process, built from the environment on first use."""
    return Matching.build(MatchingSettings())
