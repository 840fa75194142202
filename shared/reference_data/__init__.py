"""Reference data (districts, categories, matching's vocabularies): which public files,
pinned and checksummed (:mod:`.manifest`), downloading them into the data folder
(:mod:`.download`) and the files made from them (:mod:`.derive`)."""

from shared.reference_data.download import (
    ChecksumMismatch,
    ReferenceDataUnavailable,
    missing,
    obtain,
    progress_line,
)
from shared.reference_data.manifest import SETTING

__all__ = [
    "SETTING",
    "ChecksumMismatch",
    "ReferenceDataUnavailable",
    "missing",
    "obtain",
    "progress_line",
]
