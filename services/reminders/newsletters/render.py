"""An issue as plain text and as HTML, in its language (Finnish or English). Everything an
organisation wrote, and every name, is escaped in the HTML; nothing is read as markup."""

from html import escape
from typing import Any

LABELS = {
    "fi": {
        "when": "Aika",
        "where": "Paikka",
        "new_partners": "Uusia kumppaneita verkostossamme",
        "thanks": "Kiitos",
        "why": "Saat tämän uutiskirjeen, koska olet antanut siihen suostumuksesi.",
        "unsubscribe": "Peru uutiskirjeen tilaus",
    },
    "en": {
        "when": "When",
        "where": "Where",
        "new_partners": "New partners in our network",
        "thanks": "Thank you",
        "why": "You receive this newsletter because you agreed to receive it.",
        "unsubscribe": "Unsubscribe from this newsletter",
    },
}


def labels(language: str) -> dict[str, str]:
    return LABELS.get(language, LABELS["fi"])


def _named(block: dict[str, Any], names: dict[str, str]) -> list[str]:
    return [names[p] for p in block.get("partner_ids", []) if names.get(p)]


def _paragraphs(text: str) -> str:
    parts = [p.strip() for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]
    return "".join(
        "<p>" + "<br>\n".join(escape(line) for line in part.split("\n")) + "</p>\n"
        for part in parts
    )


def _heading(text: str, underline: str) -> str:
    return f"{text}\n{underline * max(len(text), 3)}\n"


def text_of(
    subject: str, blocks: list[dict[str, Any]], language: str, names: dict[str, str], url: str
) -> str:
    words = labels(language)
    out = [_heading(subject, "=")]
    for block in blocks:
        kind = block["type"]
        if kind == "news":
            out.append(_heading(block["title"], "-") + block["text"] + "\n")
        elif kind == "event":
            lines = [_heading(block["title"], "-") + f"{words['when']}: {block['when']}"]
            if block.get("where"):
                lines.append(f"{words['where']}: {block['where']}")
            if block.get("text"):
                lines.append("\n" + block["text"])
            out.append("\n".join(lines) + "\n")
        elif kind == "new_partners":
            named = _named(block, names)
            if not named:
                continue
            intro = block["text"] + "\n\n" if block.get("text") else ""
            out.append(
                _heading(words["new_partners"], "-")
                + intro
                + "".join(f"- {name}\n" for name in named)
            )
        elif kind == "thanks":
            out.append(_heading(words["thanks"], "-") + block["text"] + "\n")
    out.append(f"--\n{words['why']}\n{words['unsubscribe']}: {url}\n")
    return "\n".join(out)


def html_of(
    subject: str, blocks: list[dict[str, Any]], language: str, names: dict[str, str], url: str
) -> str:
    words = labels(language)
    sections = []
    for block in blocks:
        kind = block["type"]
        if kind == "news":
            sections.append(f"<h2>{escape(block['title'])}</h2>\n{_paragraphs(block['text'])}")
        elif kind == "event":
            facts = f"<strong>{escape(words['when'])}:</strong> {escape(block['when'])}"
            if block.get("where"):
                where = escape(block["where"])
                facts += f"<br>\n<strong>{escape(words['where'])}:</strong> {where}"
            sections.append(
                f"<h2>{escape(block['title'])}</h2>\n<p>{facts}</p>\n"
                + _paragraphs(block.get("text", ""))
            )
        elif kind == "new_partners":
            named = _named(block, names)
            if not named:
                continue
            items = "".join(f"<li>{escape(name)}</li>\n" for name in named)
            sections.append(
                f"<h2>{escape(words['new_partners'])}</h2>\n"
                + _paragraphs(block.get("text", ""))
                + f"<ul>\n{items}</ul>\n"
            )
        elif kind == "thanks":
            sections.append(f"<h2>{escape(words['thanks'])}</h2>\n{_paragraphs(block['text'])}")
    body = "".join(f"<section>\n{s}</section>\n" for s in sections)
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{escape(language)}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(subject)}</title>\n</head>\n"
        '<body style="font-family: sans-serif; line-height: 1.5; max-width: 40em; '
        'margin: 0 auto; padding: 1em; color: #1a1a1a; background: #ffffff;">\n'
        f"<h1>{escape(subject)}</h1>\n{body}"
        f"<hr>\n<p>{escape(words['why'])}<br>\n"
        f'<a href="{escape(url, quote=True)}" style="color: #0b4f8a;">'
        f"{escape(words['unsubscribe'])}</a></p>\n"
        "</body>\n</html>\n"
    )
