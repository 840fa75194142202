"""Page rendering: one Jinja2 environment per language, each with its gettext catalogue
installed, so that concurrent requests in different languages never share a translation."""

import gettext
from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import phonenumbers
from babel.dates import format_date, format_datetime, format_time
from babel.numbers import format_decimal
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from services.portal.i18n import LANGUAGES, request_language
from services.portal.labels import ALL as LABELS
from services.portal.navigation import ORGANISATION_KIND_LABELS, ROLE_LABELS
from services.portal.notices import take_notice
from services.portal.security import CSRF_FIELD, csrf_token
from shared.local_time import DEFAULT_ZONE, today_in

TEMPLATES_DIR = Path(__file__).parent / "templates"
# How dates are written: 23.11.2026 in Finnish, 23 Nov 2026 in English.
DATE_LOCALES = {"fi": "fi_FI", "en": "en_GB"}
# Times are shown in Finnish time; the registry keeps them in UTC.
TIMEZONE = ZoneInfo(DEFAULT_ZONE)


def today() -> date:
    """Today's date in Finnish time: what a date field offers and what "today" means here."""
    return today_in(DEFAULT_ZONE)


class Templates:
    def __init__(
        self,
        translations: Mapping[str, gettext.GNUTranslations],
        templates_dir: Path = TEMPLATES_DIR,
    ) -> None:
        self.translations = dict(translations)
        self.environments = {
            language: _environment(templates_dir, catalogue, language)
            for language, catalogue in self.translations.items()
        }

    def gettext(self, request: Request) -> gettext.GNUTranslations:
        """The catalogue of the request's language, for strings made in Python."""
        return self.translations[request_language(request)]

    def render(
        self,
        request: Request,
        name: str,
        context: Mapping[str, Any] | None = None,
        *,
        status_code: int = 200,
        private: bool = False,
    ) -> HTMLResponse:
        """Renders ``name`` in the request's language. ``private`` pages (anything shown
        only to a logged-in person) are never stored by the browser or a proxy, so the
        back button after logging out shows nothing."""
        language = request_language(request)
        values: dict[str, Any] = {
            "request": request,
            "language": language,
            "languages": LANGUAGES,
            "csrf_field": CSRF_FIELD,
            "csrf_token": csrf_token(request),
            "current_path": request.url.path,
            # Where the language switch brings the person back to, query included
            # (e.g. the login page's ?next=).
            "return_to": request.url.path + (f"?{request.url.query}" if request.url.query else ""),
            "me": None,
            "sections": [],
            "role_labels": ROLE_LABELS,
            "organisation_kind_labels": ORGANISATION_KIND_LABELS,
            "labels": LABELS,
            # A one-shot notice from the previous step, shown on the next logged-in page.
            "page_notice": take_notice(request) if private else "",
        }
        values.update(context or {})
        html = self.environments[language].get_template(name).render(values)
        response = HTMLResponse(html, status_code=status_code)
        response.headers["Content-Language"] = language
        # The session middleware adds "Cookie".
        response.headers["Vary"] = "Accept-Language"
        response.headers["Cache-Control"] = "no-store" if private else "no-cache"
        return response


def phone_filter(value: str | None) -> str:
    """+358401234567 as +358 40 1234567: the registry keeps E.164, people read groups."""
    if not value:
        return ""
    try:
        number = phonenumbers.parse(value, "FI")
    except phonenumbers.NumberParseException:
        return value
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def _environment(
    templates_dir: Path, catalogue: gettext.GNUTranslations, language: str
) -> Environment:
    environment = Environment(
        loader=FileSystemLoader(templates_dir),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    # Whitespace inside {% trans %} blocks is collapsed, as babel.cfg tells the extractor.
    environment.policies["ext.i18n.trimmed"] = True
    # newstyle: _("Hello %(name)s", name=x) escapes x and the catalogue can reorder it.
    environment.install_gettext_translations(catalogue, newstyle=True)  # type: ignore[attr-defined]
    locale = DATE_LOCALES.get(language, language)

    def date_filter(value: date | str | None) -> str:
        if not value:
            return ""
        if isinstance(value, str):
            value = date.fromisoformat(value[:10])
        return format_date(value, format="medium", locale=locale)

    def datetime_filter(value: datetime | None) -> str:
        if value is None:
            return ""
        return format_datetime(value, format="short", tzinfo=TIMEZONE, locale=locale)

    def time_filter(value: datetime | None) -> str:
        """The hours and minutes in Finnish time: 14.00 in Finnish, 14:00 in English."""
        if value is None:
            return ""
        return format_time(value, format="short", tzinfo=TIMEZONE, locale=locale)

    def decimal_filter(value: float | None) -> str:
        """4,25 in Finnish, 4.25 in English."""
        if value is None:
            return ""
        return format_decimal(value, format="#,##0.0#", locale=locale)

    def options_filter(labels: Mapping[Any, str]) -> list[tuple[Any, str]]:
        """A label table as a select's or radio group's (value, translated label) pairs."""
        return [(value, catalogue.gettext(label)) for value, label in labels.items()]

    environment.filters["date"] = date_filter
    environment.filters["phone"] = phone_filter
    environment.filters["options"] = options_filter
    environment.filters["datetime"] = datetime_filter
    environment.filters["time"] = time_filter
    environment.filters["decimal"] = decimal_filter
    return environment
