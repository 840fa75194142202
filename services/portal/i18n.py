"""The portal's languages: the gettext catalogues compiled in memory from the ``.po`` files
at start-up, and the choice of language for a request (session first, then Accept-Language)."""

import gettext
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from starlette.requests import Request

LOCALES_DIR = Path(__file__).parent / "locales"
DOMAIN = "messages"

# Language code -> its name in that language, as the language switch shows it.
LANGUAGES: dict[str, str] = {"fi": "Suomi", "en": "English"}
DEFAULT_LANGUAGE = "fi"


def N_(message: str) -> str:
    """Marks a string for extraction where it is defined; it is translated where shown."""
    return message


def load_translations(locales_dir: Path = LOCALES_DIR) -> dict[str, gettext.GNUTranslations]:
    """Every language's catalogue, compiled from its ``.po`` file. The ``.mo`` files are never
    written to disk, so the repository holds only text. Fuzzy entries are left out: a guess
    must not reach a user."""
    translations: dict[str, gettext.GNUTranslations] = {}
    for language in LANGUAGES:
        po_path = locales_dir / language / "LC_MESSAGES" / f"{DOMAIN}.po"
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file, locale=language, domain=DOMAIN)
        compiled = BytesIO()
        write_mo(compiled, catalog, use_fuzzy=False)
        compiled.seek(0)
        translations[language] = gettext.GNUTranslations(compiled)
    return translations


def negotiate_language(accept_language: str | None) -> str:
    """The supported language the browser prefers most (RFC 9110 quality values), or the
    default. ``fi-FI`` counts as ``fi``; ``*`` means the default."""
    best, best_quality = DEFAULT_LANGUAGE, 0.0
    for position, item in enumerate((accept_language or "").split(",")):
        tag, _, params = item.strip().partition(";")
        language = tag.strip().lower().split("-")[0]
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if language == "*":
            language = DEFAULT_LANGUAGE
        # Earlier entries win ties, as browsers list them in order of preference.
        quality -= position * 1e-6
        if language in LANGUAGES and quality > best_quality:
            best, best_quality = language, quality
    return best


def request_language(request: Request) -> str:
    """The language chosen in this session, or else the one the browser asks for."""
    chosen = request.session.get("language")
    if chosen in LANGUAGES:
        return str(chosen)
    return negotiate_language(request.headers.get("accept-language"))
