"""The files Kortisto makes from downloaded reference data: the YSO labels joined into one
Finnish–English table, and LIPAS's sports-facility types read out of its Clojure source
into JSON. Both are written in the exact format the registry and matching read."""

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import edn_format

# --- YSO: <uri>\tlabel lines, one file per language -> uri,label_fi,label_en ------------------


def _tsv_labels(path: Path) -> dict[str, str]:
    """Preferred labels by concept URI from an Annif vocabulary file (``<uri>\\tlabel``)."""
    labels: dict[str, str] = {}
    with path.open(encoding="utf-8", newline="") as lines:
        for number, line in enumerate(lines, start=1):
            line = line.rstrip("\r\n")
            if not line:
                continue
            uri, tab, label = line.partition("\t")
            if not tab or not uri.startswith("<") or not uri.endswith(">"):
                raise ValueError(f"{path.name} line {number}: not '<uri>\\tlabel'")
            labels[uri[1:-1]] = label
    return labels


def yso_joined(finnish: Path, english: Path) -> bytes:
    """``uri,label_fi,label_en`` (CSV, CRLF line ends) for every concept that has a label in
    both languages, in URI order."""
    fi, en = _tsv_labels(finnish), _tsv_labels(english)
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(["uri", "label_fi", "label_en"])
    for uri in sorted(fi.keys() & en.keys()):
        writer.writerow([uri, fi[uri], en[uri]])
    return out.getvalue().encode("utf-8")


# --- LIPAS: (def main-categories {...}) etc. in types_new.cljc -> lipas_types.json ------------


def _top_level_forms(source: str) -> Iterator[str]:
    """The text of each top-level parenthesised form, skipping strings, character literals
    and ``;`` comments, so that a paren inside a description does not end a form."""
    depth = 0
    start = 0
    i = 0
    while i < len(source):
        char = source[i]
        if char == '"':
            i += 1
            while source[i] != '"':
                i += 2 if source[i] == "\\" else 1
        elif char == "\\":
            i += 1  # a character literal such as \( is one character, not a bracket
        elif char == ";":
            newline = source.find("\n", i)
            i = len(source) if newline < 0 else newline
            continue
        elif char in "([{":
            if depth == 0:
                start = i
            depth += 1
        elif char in ")]}":
            depth -= 1
            if depth == 0:
                yield source[start : i + 1]
        i += 1


def _plain(value: Any) -> Any:
    """EDN values as JSON ones: keywords become their names, maps dicts, vectors lists."""
    if isinstance(value, edn_format.Keyword):
        return value.name
    if isinstance(value, dict | edn_format.ImmutableDict):
        return {_plain(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | edn_format.ImmutableList):
        return [_plain(v) for v in value]
    return value


def _definitions(source: str, wanted: set[str]) -> dict[str, Any]:
    """The values of the ``(def name value)`` forms named in ``wanted``. Only those are
    read as EDN: the rest of the file is code (reader conditionals, quoted forms)."""
    found: dict[str, Any] = {}
    for form in _top_level_forms(source):
        head = form[1:].split(None, 2)
        if len(head) < 2 or head[0] != "def" or head[1] not in wanted:
            continue
        parsed = edn_format.loads(form)
        found[head[1]] = _plain(parsed[2])
    missing = wanted - found.keys()
    if missing:
        raise ValueError(f"no (def {' '.join(sorted(missing))} …) in the LIPAS type list")
    return found


def lipas_types(source: str) -> bytes:
    """The main categories, sub-categories and every type (active or not) with their
    Finnish, Swedish and English names, as JSON in the source's order."""
    defs = _definitions(source, {"main-categories", "sub-categories", "all"})
    document = {
        "main_categories": [
            {"type_code": item["type-code"], "name": item["name"]}
            for item in defs["main-categories"].values()
        ],
        "sub_categories": [
            {
                "type_code": item["type-code"],
                "name": item["name"],
                "main_category": int(item["main-category"]),
            }
            for item in defs["sub-categories"].values()
        ],
        "types": [
            {
                "type_code": item["type-code"],
                "name": item["name"],
                "description": item.get("description", {}),
                "main_category": item["main-category"],
                "sub_category": item["sub-category"],
                "status": item["status"],
                "geometry_type": item.get("geometry-type"),
            }
            for item in defs["all"].values()
        ],
    }
    return json.dumps(document, indent=1, ensure_ascii=False).encode("utf-8")
