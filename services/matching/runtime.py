"""What matching's routes and tasks share for the life of a process: settings, the
database, the keyring (support users' data and matching's copy of partners) and the
text analyzer."""

from dataclasses import dataclass
from functools import cache, cached_property
from typing import Annotated

from fastapi import Depends, Request

from services.matching.index.statistics import CorpusStatistics
from services.matching.keyring import MatchingKeyring
from services.matching.models import SCHEMA, data_keys
from services.matching.ranking.text import Analyzer
from services.matching.reference.labels import ReferenceCopy
from services.matching.settings import MatchingSettings
from shared.crypto import KeyFileProvider
from shared.database import Database


@dataclass
class Matching:
    settings: MatchingSettings
    database: Database
    keyring: MatchingKeyring

    @cached_property
    def analyzer(self) -> Analyzer:
        """Loaded on first use: its vocabularies take a moment to read."""
        return Analyzer.load(self.settings.resolved_reference_data_dir())

    @cached_property
    def statistics(self) -> CorpusStatistics:
        return CorpusStatistics(self.settings.statistics_seconds)

    @cached_property
    def reference(self) -> ReferenceCopy:
        """District neighbours and category labels' terms, read again after the same time
        as the counts."""
        return ReferenceCopy(self.settings.statistics_seconds)

    @classmethod
    def build(cls, settings: MatchingSettings) -> "Matching":
        embedded = settings.environment != "production"
        provider = KeyFileProvider(settings.resolved_master_key_file(), create=embedded)
        return cls(
            settings=settings,
            database=Database(settings.resolved_database_url(), SCHEMA),
            keyring=MatchingKeyring(provider, data_keys, "matching"),
        )


@cache
def worker_runtime() -> Matching:
    """The runtime of a Celery worker process, built from the environment on first use."""
    return Matching.build(MatchingSettings())


def current_matching(request: Request) -> Matching:
    matching: Matching = request.app.state.matching
    return matching


MatchingDep = Annotated[Matching, Depends(current_matching)]
