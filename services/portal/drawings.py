"""Matching's SVG drawings (an eco-map, the pool's sociogram) made safe to place inside a
page: parsed and written out again with drawing elements and attributes only, so that no
script, event handler, link or foreign markup in a drawing can act on the page, and its ids
cannot clash with the page's own."""

import re
import xml.etree.ElementTree as ET
from html import escape

from markupsafe import Markup

# What a drawing may hold; anything else is left out with everything inside it.
ELEMENTS = frozenset(
    {
        "svg", "g", "defs", "title", "desc", "circle", "ellipse", "line", "polyline",
        "polygon", "path", "rect", "text", "tspan", "marker", "lineargradient",
        "radialgradient", "stop", "clippath",
    }
)  # fmt: skip
# Wrappers whose content is kept but not the wrapper itself (a link's target is dropped).
UNWRAPPED = frozenset({"a", "switch"})
ATTRIBUTES = frozenset(
    {
        "id", "class", "x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "r", "rx", "ry",
        "width", "height", "d", "points", "transform", "viewbox", "preserveaspectratio",
        "fill", "fill-opacity", "fill-rule", "stroke", "stroke-width", "stroke-opacity",
        "stroke-dasharray", "stroke-linecap", "stroke-linejoin", "opacity", "font-size",
        "font-family", "font-weight", "font-style", "text-anchor", "dominant-baseline",
        "alignment-baseline", "dx", "dy", "role", "aria-label", "aria-labelledby",
        "aria-describedby", "aria-hidden", "focusable", "marker-start", "marker-mid",
        "marker-end", "markerwidth", "markerheight", "markerunits", "refx", "refy", "orient",
        "offset", "stop-color", "stop-opacity", "clip-path", "gradientunits", "lang",
        "data-key", "data-ring", "data-kind", "data-community",
    }
)  # fmt: skip
# SVG keeps the case of these (viewBox…); the sets above hold them in lower case.
CAMEL_CASE = {
    name.lower(): name
    for name in (
        "viewBox", "preserveAspectRatio", "markerWidth", "markerHeight", "markerUnits",
        "refX", "refY", "gradientUnits", "linearGradient", "radialGradient", "clipPath",
    )
}  # fmt: skip
ID_REFERENCES = frozenset({"aria-labelledby", "aria-describedby"})
URL_REFERENCE = re.compile(r"url\(\s*#([A-Za-z0-9_.:-]+)\s*\)")
SAFE_URL_VALUE = re.compile(r"url\(\s*#[A-Za-z0-9_.:-]+\s*\)")
XML_NAMESPACE = "{http://www.w3.org/XML/1998/namespace}"


class DrawingUnreadable(ValueError):
    """The drawing is not an SVG document the portal can show."""


def inline_svg(document: str | bytes, id_prefix: str, label: str, css_class: str) -> Markup:
    """``document`` as an ``<svg>`` element to write into a page: named ``label`` for
    screen readers (the page gives the same content as text beside it), ``css_class`` on
    it, every id prefixed with ``id_prefix``."""
    text = document.decode("utf-8") if isinstance(document, bytes) else document
    if "<!ENTITY" in text or "<!DOCTYPE" in text:
        # Entity declarations could blow the parser up; a drawing never needs them.
        raise DrawingUnreadable("declarations in the drawing")
    try:
        # Matching's own drawing, refused above if it declares anything: no entity to expand.
        root = ET.fromstring(text)  # noqa: S314
    except ET.ParseError as exc:
        raise DrawingUnreadable(str(exc)) from exc
    if _local(root.tag) != "svg":
        raise DrawingUnreadable("not an SVG document")
    attributes = _attributes(root, id_prefix)
    width, height = _number(attributes.get("width")), _number(attributes.get("height"))
    if "viewBox" not in attributes and width and height:
        attributes["viewBox"] = f"0 0 {width} {height}"
    # The page's stylesheet sizes the drawing to the column it is in.
    for sized in ("width", "height"):
        attributes.pop(sized, None)
    for accessible in ("aria-labelledby", "aria-describedby", "aria-hidden"):
        attributes.pop(accessible, None)
    attributes.update(
        {"role": "img", "aria-label": label, "class": css_class, "focusable": "false"}
    )
    parts: list[str] = [_open("svg", attributes)]
    for child in root:
        _write(child, id_prefix, parts)
        parts.append(escape(child.tail or "", quote=False))
    parts.append("</svg>")
    # Every text and attribute value above went through escape().
    return Markup("".join(parts))  # noqa: S704


def _local(tag: object) -> str:
    return str(tag).rsplit("}", 1)[-1].lower() if isinstance(tag, str) else ""


def _number(value: str | None) -> str:
    found = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(px)?\s*", value or "")
    return found.group(1) if found else ""


def _attributes(element: ET.Element, id_prefix: str) -> dict[str, str]:
    kept: dict[str, str] = {}
    for raw_name, value in element.attrib.items():
        if raw_name.startswith(XML_NAMESPACE):
            name = raw_name.removeprefix(XML_NAMESPACE).lower()
            if name != "lang":
                continue
        elif raw_name.startswith("{"):
            continue  # xlink:href and any other namespaced attribute
        else:
            name = raw_name.lower()
        if name not in ATTRIBUTES:
            continue
        if name == "id":
            value = f"{id_prefix}-{value}"
        elif name in ID_REFERENCES:
            value = " ".join(f"{id_prefix}-{token}" for token in value.split())
        elif "url(" in value.lower():
            if not SAFE_URL_VALUE.fullmatch(value.strip()):
                continue  # only references to the drawing's own parts
            value = URL_REFERENCE.sub(lambda m: f"url(#{id_prefix}-{m.group(1)})", value)
        kept[CAMEL_CASE.get(name, name)] = value
    return kept


def _open(tag: str, attributes: dict[str, str]) -> str:
    written = "".join(
        f' {name}="{escape(value, quote=True)}"' for name, value in attributes.items()
    )
    return f"<{tag}{written}>"


def _write(element: ET.Element, id_prefix: str, parts: list[str]) -> None:
    tag = _local(element.tag)
    if tag in UNWRAPPED:
        parts.append(escape(element.text or "", quote=False))
        for child in element:
            _write(child, id_prefix, parts)
            parts.append(escape(child.tail or "", quote=False))
        return
    if tag not in ELEMENTS:
        return
    name = CAMEL_CASE.get(tag, tag)
    parts.append(_open(name, _attributes(element, id_prefix)))
    parts.append(escape(element.text or "", quote=False))
    for child in element:
        _write(child, id_prefix, parts)
        parts.append(escape(child.tail or "", quote=False))
    parts.append(f"</{name}>")
