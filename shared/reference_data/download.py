"""Obtaining the reference data: what the folder lacks is downloaded from its pinned public
origin, checked against its SHA-256 and only then renamed into place (an interrupted or
wrong download leaves nothing behind), and the derived files are made from it. What the
folder already holds is used as it is."""

import hashlib
import os
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO

import httpx

from shared.reference_data.manifest import DATASETS, ORIGIN_URL, SETTING, Dataset, Source

Progress = Callable[[Source, int], None]  # (file, bytes received so far)
TIMEOUT = httpx.Timeout(30.0, connect=10.0)


class ReferenceDataUnavailable(RuntimeError):
    """Some reference data is missing and could not be obtained. The message names the
    setting, the folder, the reason and each file to download by hand."""

    def __init__(
        self,
        folder: Path,
        base_url: str,
        reason: str,
        datasets: Sequence[Dataset] = DATASETS,
    ) -> None:
        self.folder = folder
        self.reason = reason
        wanted = [(d, s) for d in datasets for s in d.sources if _lacks(folder, d)]
        lines = [
            f"Reference data is missing in {folder.resolve()} and could not be downloaded: "
            f"{reason}.",
            f"Download these files (or run again when online), or set {SETTING} to a folder "
            "that holds them:",
            *(f"  {d.folder}/{s.name}  <-  {s.url(base_url or ORIGIN_URL)}" for d, s in wanted),
        ]
        derived = [f"{d.folder}/{x.name}" for d in datasets for x in d.derived if _lacks(folder, d)]
        if derived:
            lines.append(f"Kortisto makes {', '.join(derived)} from them itself.")
        super().__init__("\n".join(lines))


class ChecksumMismatch(ReferenceDataUnavailable):
    """A download that is not the pinned file."""


def missing(folder: Path) -> list[Path]:
    """The files the code reads that ``folder`` does not hold (relative to it)."""
    return [path for d in DATASETS for path in d.reads() if not (folder / path).is_file()]


def _lacks(folder: Path, dataset: Dataset) -> bool:
    return any(not (folder / path).is_file() for path in dataset.reads())


def progress_line(stream: IO[str] = sys.stderr) -> Progress:
    """A progress line per file: rewritten in place on a terminal, one line when done
    elsewhere (a log)."""
    interactive = stream.isatty()

    def show(source: Source, received: int) -> None:
        done = received >= source.size
        if not (interactive or done):
            return
        line = f"downloading {source.name}: {received / 1e6:.1f} of {source.size / 1e6:.1f} MB"
        stream.write(("\r" + line if interactive else line) + ("\n" if done else ""))
        stream.flush()

    return show


def _write_atomically(target: Path, chunks: Callable[[IO[bytes]], object]) -> None:
    """``chunks`` writes into a temporary file beside ``target``, which is renamed onto it
    only when ``chunks`` returns; on any error the temporary file is removed."""
    handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 renamed or removed below
        dir=target.parent, prefix=f".{target.name}.", suffix=".part", delete=False
    )
    try:
        with handle:
            chunks(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(handle.name, target)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise


def _writing(content: bytes) -> Callable[[IO[bytes]], object]:
    return lambda out: out.write(content)


class _DownloadFailed(Exception):
    def __init__(self, reason: str, checksum: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.checksum = checksum


def fetch(
    source: Source, folder: Path, base_url: str, client: httpx.Client, progress: Progress
) -> None:
    """``source`` downloaded into ``folder`` (its dataset's), checked, then renamed into
    place; or :class:`_DownloadFailed` saying why, with nothing left behind."""
    url = source.url(base_url)

    def receive(out: IO[bytes]) -> None:
        digest = hashlib.sha256()
        received = 0
        with client.stream("GET", url) as response:
            if response.status_code != 200:
                raise _DownloadFailed(f"{url} answered {response.status_code}")
            for chunk in response.iter_bytes():
                received += len(chunk)
                if received > source.size:
                    raise _DownloadFailed(
                        f"{url} is not the pinned file (larger than {source.size} bytes)",
                        checksum=True,
                    )
                digest.update(chunk)
                out.write(chunk)
                progress(source, received)
        if digest.hexdigest() != source.sha256:
            raise _DownloadFailed(
                f"{url} is not the pinned file (its SHA-256 is {digest.hexdigest()}, "
                f"expected {source.sha256})",
                checksum=True,
            )

    try:
        _write_atomically(folder / source.name, receive)
    except httpx.HTTPError as exc:
        host = httpx.URL(url).host
        raise _DownloadFailed(
            f"downloading from {host} failed ({exc or type(exc).__name__})"
        ) from exc


def obtain(
    folder: Path,
    base_url: str,
    progress: Progress | None = None,
    datasets: Sequence[Dataset] = DATASETS,
) -> list[Path]:
    """Makes ``folder`` hold every file the code reads: downloads what is missing, makes
    the derived files. Returns the files it wrote (none when all were there), or raises
    :class:`ReferenceDataUnavailable`. An empty ``base_url`` means never download."""
    lacking = [d for d in datasets if _lacks(folder, d)]
    if not lacking:
        return []
    if not base_url:
        raise ReferenceDataUnavailable(folder, base_url, "downloading is switched off", datasets)
    try:
        for dataset in lacking:
            (folder / dataset.folder).mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ReferenceDataUnavailable(
            folder, base_url, f"cannot write there ({exc})", datasets
        ) from exc
    wrote: list[Path] = []
    with httpx.Client(timeout=TIMEOUT, follow_redirects=True) as client:
        for dataset in lacking:
            here = folder / dataset.folder
            for source in dataset.sources:
                if (here / source.name).is_file():
                    continue
                try:
                    fetch(source, here, base_url, client, progress or progress_line())
                except _DownloadFailed as exc:
                    error = ChecksumMismatch if exc.checksum else ReferenceDataUnavailable
                    raise error(folder, base_url, exc.reason, datasets) from exc
                wrote.append(here / source.name)
            for derived in dataset.derived:
                target = here / derived.name
                if not target.is_file():
                    _write_atomically(target, _writing(derived.make(here)))
                    wrote.append(target)
    return wrote
