"""District work needs the default districts in every test."""

import pytest


@pytest.fixture(autouse=True)
def _districts(defaults: tuple[int, int]) -> None:
    """Loads the default districts and categories before each district-work test."""
