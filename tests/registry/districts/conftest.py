"""District work needs the default districts in every test."""

import pytest


@pytest.fixture(autouse=True)
def _districts(reference_data: None) -> None:
    """Loads the default districts and categories before each district-work test."""
