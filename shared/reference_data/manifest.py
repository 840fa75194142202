"""What reference data Kortisto reads and where it comes from: each dataset's folder, the
files the code reads, and the public files they are made from, pinned to a commit and
checked against a SHA-256.

The checksums were computed with ``git show <commit>:<path> | sha256sum`` in a clone of each
origin repository at the pinned commit; the Paavo, PTV and YSO files are byte for byte the
same as in the local mirror the project was developed against. The derived files are made
by :mod:`shared.reference_data.derive`; they have no checksum of their own, being made only
from checked downloads."""

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from shared.reference_data import derive

SETTING = "KORTISTO_REFERENCE_DATA_DIR"
# Where the pinned files are downloaded from unless KORTISTO_REFERENCE_DATA_URL says else.
ORIGIN_URL = "https://raw.githubusercontent.com"
# The source of every row of the made-up demo set (services/registry/reference/demo.py),
# loaded when the real data cannot be had; the portal shows a notice beside such rows.
DEMO_SOURCE = "Kortisto demo set (made up, not real areas or the national classification)"

# What the registry and matching read, relative to the reference data folder.
DISTRICTS_FILE = Path(
    "fi-paavo-helsinki-postal-areas/helsinki_postal_areas_paavo2023_epsg3067.geojson"
)
CATEGORIES_FILE = Path("fi-ptv-service-classes/ptv_classes_2023.json")
YSO_FILE = Path("fi-yso-labels/yso_fi_en_joined.csv")
LIPAS_FILE = Path("fi-lipas-sport-facility-types/lipas_types.json")


@dataclass(frozen=True)
class Source:
    """One public file, ``<base url>/<repository>/<commit>/<path>``, saved as ``name`` in
    its dataset's folder."""

    repository: str
    commit: str
    path: str
    name: str
    sha256: str
    size: int

    def url(self, base_url: str) -> str:
        return f"{base_url.rstrip('/')}/{self.repository}/{self.commit}/{self.path}"


@dataclass(frozen=True)
class Derived:
    """A file made from the dataset's downloaded sources: ``make(folder)`` gives its bytes."""

    name: str
    make: Callable[[Path], bytes]


@dataclass(frozen=True)
class Dataset:
    folder: str
    what: str
    licence: str
    sources: tuple[Source, ...]
    derived: tuple[Derived, ...] = field(default=())

    def reads(self) -> list[Path]:
        """The files the code reads: the derived ones, and the sources nothing is derived
        from (the derived files are all this dataset's sources are for)."""
        if self.derived:
            return [Path(self.folder, d.name) for d in self.derived]
        return [Path(self.folder, s.name) for s in self.sources]


PAAVO = Dataset(
    folder="fi-paavo-helsinki-postal-areas",
    what="Helsinki postal code areas (Statistics Finland Paavo 2023): the default districts",
    licence="CC BY 4.0, Statistics Finland",
    sources=(
        Source(
            repository="ANETILab/stop_accessibility",
            commit="4ed50c2f4c63298eb3f5bd691cedcd419f952a2a",
            path="data/statistics/helsinki/2023/statistics.geojson",
            name=DISTRICTS_FILE.name,
            sha256="a8e4d2d000ae1c73dbd39706e5cdc2c2dcca49ed397d47461bc5779b548f0b04",
            size=842_568,
        ),
    ),
)

PTV = Dataset(
    folder="fi-ptv-service-classes",
    what="the national service classification (PTV service classes): the default categories",
    licence="CC BY 4.0, Suomi.fi code lists",
    sources=(
        Source(
            repository="vrk-kpa/auroraai-core-components",
            commit="356139d9d3968866f17ecb90946d3ef8d6b9c668",
            path="demo_ui/src/resources/ptv_classes_2023.json",
            name=CATEGORIES_FILE.name,
            sha256="1e60c3e7f824edb58d0187edadb60a203ef7a8b0b35f3fd0db93572bb8b6a019",
            size=701_888,
        ),
    ),
)

YSO = Dataset(
    folder="fi-yso-labels",
    what="General Finnish Ontology labels in Finnish and English: matching's word bridge",
    licence="CC BY 4.0, National Library of Finland",
    sources=tuple(
        Source(
            repository="NatLibFi/Annif-corpora",
            commit="ce2469d59663032ca8ebbc4070bb0f8aab2fe8ce",
            path=f"vocab/yso-ysoplaces-cicero-{language}.tsv",
            name=f"yso-ysoplaces-cicero-{language}.tsv",
            sha256=sha256,
            size=size,
        )
        for language, sha256, size in (
            ("fi", "dcdbf91007fa70f6663c21661fbbdaa057b53f2d48652d78ba72cc221482f3e7", 1_851_124),
            ("en", "9400cff8cbf30b85971aaf564d0583a6cb0a9da4854611680a812bac907c7cb1", 1_668_588),
        )
    ),
    derived=(
        Derived(
            YSO_FILE.name,
            lambda folder: derive.yso_joined(
                folder / "yso-ysoplaces-cicero-fi.tsv", folder / "yso-ysoplaces-cicero-en.tsv"
            ),
        ),
    ),
)

LIPAS = Dataset(
    folder="fi-lipas-sport-facility-types",
    what="the national sports-facility types (LIPAS): matching's leisure vocabulary",
    licence="MIT, LIPAS (University of Jyväskylä)",
    sources=(
        Source(
            repository="lipas-liikuntapaikat/lipas",
            commit="35ec26450034274a1e74eb9b662e1fe351094da6",
            path="webapp/src/cljc/lipas/data/types_new.cljc",
            name="types_new.cljc",
            sha256="afcea0b2ce771e73315ce2c387ebdcde49332ef5e2d1102c9f516904e1853f88",
            size=183_632,
        ),
    ),
    derived=(
        Derived(
            LIPAS_FILE.name,
            lambda folder: derive.lipas_types((folder / "types_new.cljc").read_text("utf-8")),
        ),
    ),
)

DATASETS = (PAAVO, PTV, YSO, LIPAS)
