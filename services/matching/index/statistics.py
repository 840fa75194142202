"""What idf needs (how many resources there are, and how many hold each term), remembered
for a short while per process: two counting statements per suggestion otherwise, for
figures that barely move between one suggestion and the next."""

import time
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.matching.index.models import Posting, Resource


@dataclass
class CorpusStatistics:
    seconds: float  # how long a figure is trusted; 0 counts afresh every time
    _documents: tuple[float, int] | None = None
    _frequencies: dict[str, tuple[float, int]] = field(default_factory=dict)

    def of(self, session: Session, terms: list[str]) -> tuple[int, dict[str, int]]:
        """(resources in the index, resources holding each of ``terms``)."""
        now = time.monotonic()
        if self._documents is None or now - self._documents[0] >= self.seconds:
            self._documents = (now, _resources(session))
        fresh = {
            t: hit[1]
            for t in terms
            if (hit := self._frequencies.get(t)) is not None and now - hit[0] < self.seconds
        }
        missing = [t for t in terms if t not in fresh]
        if missing:
            counted = dict(
                session.execute(
                    select(Posting.term, func.count())
                    .where(Posting.term.in_(missing))
                    .group_by(Posting.term)
                ).all()
            )
            for term in missing:
                fresh[term] = counted.get(term, 0)
                # A term no resource holds is not remembered: the next resource that has it
                # must be found at once (an update is visible within a second), and counting
                # an absent term is one probe of the index.
                if fresh[term]:
                    self._frequencies[term] = (now, fresh[term])
        if any(count > self._documents[1] for count in fresh.values()):
            # Resources were added since the count: a word cannot be held by more resources
            # than there are (ranking would weigh it below nothing), so count them again.
            self._documents = (now, _resources(session))
        if len(self._frequencies) > 100_000:  # a long-running process keeps only recent words
            self._frequencies = {
                t: v for t, v in self._frequencies.items() if now - v[0] < self.seconds
            }
        return self._documents[1], fresh


def _resources(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Resource)) or 0
