"""Counted words in the form their number calls for, in Finnish or English (the CLDR plural
rules, through Babel): 1 person, 2 people; 1 henkilö, 2 henkilöä."""

from functools import cache

from babel import Locale


@cache
def _locale(language: str) -> Locale:
    return Locale.parse(language)


def counted(number: int, language: str, one: str, other: str) -> str:
    """``number`` followed by ``one`` or ``other``, as the language says that number."""
    return f"{number} {one if _locale(language).plural_form(number) == 'one' else other}"
