"""Obtaining the reference data: downloads from a local server laid out like the public
origin (``<owner>/<repository>/<commit>/<path>``), checked against the pinned SHA-256 and
written whole or not at all; the files Kortisto makes from them; an operator's folder used
as it is."""

import hashlib
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.responses import Response, StreamingResponse

from shared.reference_data import (
    ChecksumMismatch,
    ReferenceDataUnavailable,
    derive,
    missing,
    obtain,
)
from shared.reference_data.manifest import (
    DATASETS,
    LIPAS,
    LIPAS_FILE,
    PAAVO,
    PTV,
    YSO,
    YSO_FILE,
    Dataset,
    Source,
)
from tests.live import free_port, serve

# A hand-written slice in the shape of LIPAS's types_new.cljc: definitions the derived file
# needs, code it must step over (a reader conditional, a quoted form), and brackets and
# quotes inside strings.
LIPAS_SNIPPET = r"""(ns lipas.data.types-new
  "A made-up slice (of the real file's shape)."
  (:require [lipas.utils :as utils]))

(def main-categories
  {1000
   {:type-code 1000,
    :name {:fi "Ulkokentät", :se "Utomhusplaner", :en "Outdoor fields"},
    :ptv {:ontology-urls [], :service-classes []}}})

(def sub-categories
  {1100
   {:type-code 1100,
    :name {:fi "Pallokentät", :se "Bollplaner", :en "Ball fields"},
    :main-category "1000"}})

;; a comment with an unmatched ( bracket
(def all
  {1110
   {:description
    {:fi "Kenttä (hiekka tai \"nurmi\") ja maalit; ks. 1120.",
     :se "Plan (sand).",
     :en "A field [sand or grass] {with goals}."},
    :tags {:fi ["kenttä"]},
    :name {:fi "Pallokenttä", :se "Bollplan", :en "Ball field"},
    :type-code 1110,
    :main-category 1000,
    :status "active",
    :sub-category 1100,
    :geometry-type "Point",
    :props {:free-use? {:priority 40}}},
   1120
   {:description {:fi "Vanha.", :se "Gammal.", :en "Old."},
    :name {:fi "Hiekkakenttä", :se "Sandplan", :en "Sand field"},
    :type-code 1120,
    :main-category 1000,
    :status "deprecated",
    :sub-category 1100,
    :geometry-type "Polygon"}})

(def active
  (reduce-kv (fn [m k v] (if (not= "active" (:status v)) (dissoc m k) m)) all all))

(comment
  (require '[clojure.pprint :as pprint])
  #?(:clj (spit "/tmp/types.edn" (with-out-str (pprint/pprint all)))))
"""
SNIPPET_BYTES = LIPAS_SNIPPET.encode("utf-8")
# LIPAS as the manifest has it, but pinned to the snippet (the mirror has no cljc file).
SNIPPET_LIPAS = replace(
    LIPAS,
    sources=(
        replace(
            LIPAS.sources[0],
            sha256=hashlib.sha256(SNIPPET_BYTES).hexdigest(),
            size=len(SNIPPET_BYTES),
        ),
    ),
)


def origin_path(source: Source) -> str:
    return f"{source.repository}/{source.commit}/{source.path}"


@dataclass
class Origin:
    """What the local origin serves (by path), which bodies it cuts off halfway, and the
    paths asked for."""

    files: dict[str, bytes] = field(default_factory=dict)
    cut: set[str] = field(default_factory=set)
    asked: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def serves(self, datasets: tuple[Dataset, ...], folder: Path) -> None:
        """Each source of ``datasets`` from ``folder`` laid out as the reference data."""
        for dataset in datasets:
            for source in dataset.sources:
                self.files[origin_path(source)] = (
                    folder / dataset.folder / source.name
                ).read_bytes()


def origin_app(origin: Origin) -> FastAPI:
    app = FastAPI()

    @app.get("/{path:path}")
    def file(path: str) -> Response:
        with origin.lock:
            origin.asked.append(path)
        body = origin.files.get(path)
        if body is None:
            return Response(status_code=404)
        if path in origin.cut:

            def half() -> Iterator[bytes]:
                yield body[: len(body) // 2]
                raise ConnectionAbortedError("the connection drops mid-body")

            return StreamingResponse(half(), headers={"content-length": str(len(body))})
        return Response(body, media_type="application/octet-stream")

    return app


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[str, Origin]]:
    origin = Origin()
    with serve(origin_app(origin)) as url:
        yield url, origin


@pytest.fixture
def origin(served: tuple[str, Origin]) -> tuple[str, Origin]:
    url, found = served
    found.files.clear()
    found.cut.clear()
    found.asked.clear()
    return url, found


def files_in(folder: Path) -> list[str]:
    """Every file under ``folder``, hidden temporary ones included."""
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


def test_a_first_start_downloads_checks_and_makes_every_file(
    origin: tuple[str, Origin], reference_data_dir: Path, tmp_path: Path
) -> None:
    url, server = origin
    server.serves((PAAVO, PTV, YSO), reference_data_dir)
    server.files[origin_path(SNIPPET_LIPAS.sources[0])] = SNIPPET_BYTES
    datasets = (PAAVO, PTV, YSO, SNIPPET_LIPAS)
    folder = tmp_path / "reference"
    shown: dict[str, int] = {}

    wrote = obtain(folder, url, lambda s, n: shown.__setitem__(s.name, n), datasets)

    assert missing(folder) == []
    assert len(wrote) == 7  # five downloads, two files made from them
    assert all(".part" not in name for name in files_in(folder))
    assert shown == {s.name: s.size for d in datasets for s in d.sources}
    for dataset in (PAAVO, PTV):
        path = dataset.reads()[0]
        assert (folder / path).read_bytes() == (reference_data_dir / path).read_bytes()
    # The joined YSO table Kortisto makes is the one the mirror holds, byte for byte.
    assert (folder / YSO_FILE).read_bytes() == (reference_data_dir / YSO_FILE).read_bytes()
    assert [t["type_code"] for t in json.loads((folder / LIPAS_FILE).read_bytes())["types"]] == [
        1110,
        1120,
    ]

    asked = len(server.asked)
    assert obtain(folder, url, None, datasets) == []
    assert len(server.asked) == asked, "nothing is downloaded again"


def test_a_file_that_is_not_the_pinned_one_is_refused_and_not_kept(
    origin: tuple[str, Origin], tmp_path: Path
) -> None:
    url, server = origin
    server.files[origin_path(PAAVO.sources[0])] = b'{"type": "FeatureCollection"}'
    with pytest.raises(ChecksumMismatch) as caught:
        obtain(tmp_path, url, None, (PAAVO,))
    assert "is not the pinned file" in str(caught.value)
    assert PAAVO.sources[0].sha256 in str(caught.value)
    assert files_in(tmp_path) == []


def test_a_file_longer_than_the_pinned_one_is_refused(
    origin: tuple[str, Origin], tmp_path: Path
) -> None:
    url, server = origin
    server.files[origin_path(PTV.sources[0])] = b"x" * (PTV.sources[0].size + 1)
    with pytest.raises(ChecksumMismatch, match="larger than"):
        obtain(tmp_path, url, None, (PTV,))
    assert files_in(tmp_path) == []


def test_an_interrupted_download_leaves_nothing_half_written(
    origin: tuple[str, Origin], tmp_path: Path
) -> None:
    url, server = origin
    path = origin_path(PAAVO.sources[0])
    server.files[path] = b"x" * PAAVO.sources[0].size
    server.cut.add(path)
    with pytest.raises(ReferenceDataUnavailable) as caught:
        obtain(tmp_path, url, None, (PAAVO,))
    assert not isinstance(caught.value, ChecksumMismatch)
    assert "downloading from 127.0.0.1 failed" in str(caught.value)
    assert files_in(tmp_path) == []


def test_a_missing_file_at_the_origin_is_named(origin: tuple[str, Origin], tmp_path: Path) -> None:
    url, _ = origin
    with pytest.raises(ReferenceDataUnavailable, match="answered 404"):
        obtain(tmp_path, url, None, (PTV,))
    assert files_in(tmp_path) == []


def test_offline_the_message_names_the_setting_and_every_file_to_download(tmp_path: Path) -> None:
    refused = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(ReferenceDataUnavailable) as caught:
        obtain(tmp_path / "reference", refused)
    message = str(caught.value)
    assert "KORTISTO_REFERENCE_DATA_DIR" in message
    assert str(tmp_path / "reference") in message
    for dataset in DATASETS:
        for source in dataset.sources:
            assert f"{dataset.folder}/{source.name}  <-  {source.url(refused)}" in message
    assert "yso_fi_en_joined.csv" in message and "lipas_types.json" in message
    assert files_in(tmp_path) == []


def test_with_downloading_switched_off_nothing_is_asked(
    origin: tuple[str, Origin], tmp_path: Path
) -> None:
    _, server = origin
    with pytest.raises(ReferenceDataUnavailable, match="switched off") as caught:
        obtain(tmp_path, "")
    assert "https://raw.githubusercontent.com/" in str(caught.value)
    assert server.asked == []


def test_an_operators_folder_is_used_as_it_is(origin: tuple[str, Origin], tmp_path: Path) -> None:
    url, server = origin
    for dataset in DATASETS:
        for path in dataset.reads():
            (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / path).write_text(f"the operator's own {path.name}")
    before = {name: (tmp_path / name).read_bytes() for name in files_in(tmp_path)}
    assert obtain(tmp_path, url) == []
    assert server.asked == []
    assert {name: (tmp_path / name).read_bytes() for name in files_in(tmp_path)} == before


def test_the_mirror_holds_every_file_and_needs_no_download(
    origin: tuple[str, Origin], reference_data_dir: Path
) -> None:
    url, server = origin
    assert obtain(reference_data_dir, url) == []
    assert server.asked == []


# --- the files Kortisto makes -----------------------------------------------------------------


def test_lipas_types_are_read_out_of_the_clojure_source() -> None:
    made = derive.lipas_types(LIPAS_SNIPPET)
    assert "Ulkokentät".encode() in made  # written as UTF-8, not escaped
    document = json.loads(made)
    assert document["main_categories"] == [
        {
            "type_code": 1000,
            "name": {"fi": "Ulkokentät", "se": "Utomhusplaner", "en": "Outdoor fields"},
        }
    ]
    assert document["sub_categories"] == [
        {
            "type_code": 1100,
            "name": {"fi": "Pallokentät", "se": "Bollplaner", "en": "Ball fields"},
            "main_category": 1000,
        }
    ]
    field, old = document["types"]
    assert field["description"]["fi"] == 'Kenttä (hiekka tai "nurmi") ja maalit; ks. 1120.'
    assert field["description"]["en"] == "A field [sand or grass] {with goals}."
    assert (field["status"], field["geometry_type"], field["sub_category"]) == (
        "active",
        "Point",
        1100,
    )
    assert (old["type_code"], old["status"]) == (1120, "deprecated")
    assert set(field) == {
        "type_code",
        "name",
        "description",
        "main_category",
        "sub_category",
        "status",
        "geometry_type",
    }


def test_a_lipas_source_without_the_definitions_is_refused() -> None:
    with pytest.raises(ValueError, match="main-categories"):
        derive.lipas_types(LIPAS_SNIPPET.replace("(def main-categories", "(def other-name"))


def test_yso_labels_are_joined_on_the_concepts_with_both_languages(tmp_path: Path) -> None:
    (tmp_path / "fi.tsv").write_text(
        "<http://www.yso.fi/onto/yso/p2>\tkuorolaulu\n"
        "<http://www.yso.fi/onto/yso/p1>\tuinti\n"
        "<http://www.yso.fi/onto/yso/p3>\tvain suomeksi\n",
        encoding="utf-8",
    )
    (tmp_path / "en.tsv").write_text(
        "<http://www.yso.fi/onto/yso/p1>\tswimming\n"
        "<http://www.yso.fi/onto/yso/p2>\tchoir singing, amateur\n",
        encoding="utf-8",
    )
    assert derive.yso_joined(tmp_path / "fi.tsv", tmp_path / "en.tsv").decode() == (
        "uri,label_fi,label_en\r\n"
        "http://www.yso.fi/onto/yso/p1,uinti,swimming\r\n"
        'http://www.yso.fi/onto/yso/p2,kuorolaulu,"choir singing, amateur"\r\n'
    )


def test_a_yso_file_that_is_not_uri_tab_label_is_refused(tmp_path: Path) -> None:
    (tmp_path / "fi.tsv").write_text("uinti\n", encoding="utf-8")
    (tmp_path / "en.tsv").write_text("", encoding="utf-8")
    with pytest.raises(ValueError, match=r"fi\.tsv line 1"):
        derive.yso_joined(tmp_path / "fi.tsv", tmp_path / "en.tsv")
