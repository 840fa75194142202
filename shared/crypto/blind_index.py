"""Normalisation of e-mail addresses, phone numbers and names before blind indexing, so that
equal values written differently give the same index. Error messages never echo the value."""

import re
import unicodedata

import phonenumbers
from email_validator import EmailNotValidError, validate_email

_TOKEN = re.compile(r"[^\W_]+")  # runs of letters and digits


def normalise_email(value: str) -> str:
    """The validated address, lowercased as a whole."""
    try:
        result = validate_email(value.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValueError(f"invalid e-mail address: {exc}") from None
    return result.normalized.lower()


def normalise_phone(value: str, region: str = "FI") -> str:
    """The number in E.164; national numbers are read as in ``region``."""
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        raise ValueError("invalid phone number: it cannot be parsed") from None
    if not phonenumbers.is_valid_number(number):
        raise ValueError("invalid phone number: no such number is in use")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def name_tokens(value: str) -> list[str]:
    """Case- and diacritic-insensitive tokens of a name, first occurrence order, no repeats."""
    # NFKD both before and after casefolding: compatibility forms can decompose to capitals
    # and casefolding can produce combining marks.
    folded = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", value).casefold())
    bare = "".join(char for char in folded if not unicodedata.combining(char))
    return list(dict.fromkeys(_TOKEN.findall(bare)))
