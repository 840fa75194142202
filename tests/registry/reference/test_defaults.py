"""Loading the default districts and categories: the real ones from the reference data
folder, or the made-up demo set."""

from pathlib import Path

import pytest
from sqlalchemy import func, select

from services.registry.reference import service
from services.registry.reference.defaults import (
    ReferenceDataMissing,
    has_real_defaults,
    load_default_districts,
    load_defaults,
    load_demo_defaults,
)
from services.registry.reference.models import Category, District, DistrictNeighbour
from services.registry.runtime import Registry
from shared.reference_data.manifest import DEMO_SOURCE, DISTRICTS_FILE


def counts(registry: Registry) -> list[int]:
    """Rows of districts, neighbour links and categories."""
    with registry.database.session() as session:
        return [
            session.scalar(select(func.count()).select_from(model)) or 0
            for model in (District, DistrictNeighbour, Category)
        ]


def test_loading_twice_changes_nothing(
    registry: Registry, defaults: tuple[int, int], reference_data_dir: Path
) -> None:
    assert defaults == (84, 228)
    before = counts(registry)
    with registry.database.session() as session:
        stamps = dict(session.execute(select(District.code, District.updated_at)).all())
    assert before == [84, 2 * 175, 228]  # neighbours are stored in both directions

    with registry.database.session() as session:
        assert load_defaults(session, reference_data_dir) == (0, 0)
    assert counts(registry) == before
    with registry.database.session() as session:
        assert dict(session.execute(select(District.code, District.updated_at)).all()) == stamps


def test_a_changed_default_is_put_back(
    registry: Registry, defaults: tuple[int, int], reference_data_dir: Path
) -> None:
    with registry.database.session() as session:
        kallio = session.scalars(select(District).where(District.code == "00530")).one()
        kallio.name_fi = "Something else"
        kallio.population = 1
    path = reference_data_dir / DISTRICTS_FILE
    with registry.database.session() as session:
        assert load_default_districts(session, path) == 1
    with registry.database.session() as session:
        kallio = service.get_district(session, "any-organisation", "00530")
        assert (kallio.name_fi, kallio.population) == ("Kallio", 17887)


def test_missing_files_are_named(registry: Registry, tmp_path: Path) -> None:
    with registry.database.session() as session, pytest.raises(ReferenceDataMissing) as caught:
        load_defaults(session, tmp_path)
    assert str(tmp_path / "fi-paavo-helsinki-postal-areas") in str(caught.value)
    assert "KORTISTO_REFERENCE_DATA_DIR" in str(caught.value)
    assert counts(registry) == [0, 0, 0]


def test_the_lookups_other_modules_use(registry: Registry, defaults: tuple[int, int]) -> None:
    with registry.database.session() as session:
        assert service.district_exists(session, "some-organisation", "00100")
        assert not service.district_exists(session, "some-organisation", "99999")
        assert service.category_exists(session, "some-organisation", "P1.1")
        assert not service.category_exists(session, "some-organisation", "P99")
        keskusta = service.neighbours(session, "some-organisation", "00100")
        assert keskusta == {"00120", "00130", "00170", "00180", "00260", "00530"}
        assert service.neighbours(session, "some-organisation", "99999") == set()


def test_the_demo_set_is_a_small_town_of_neighbours_marked_as_demo(registry: Registry) -> None:
    with registry.database.session() as session:
        assert load_demo_defaults(session) == (6, 16)
        assert not has_real_defaults(session)
    with registry.database.session() as session:
        assert load_demo_defaults(session) == (0, 0)
        sources = set(session.scalars(select(District.source))) | set(
            session.scalars(select(Category.source))
        )
        assert sources == {DEMO_SOURCE}
        assert service.neighbours(session, "some-organisation", "DEMO-1") == {
            "DEMO-2",
            "DEMO-3",
            "DEMO-5",
        }
        cooking = service.get_category(session, "some-organisation", "DEMO.2.2", "sv")
        assert (cooking.label, cooking.labels.en, cooking.parent_code) == (
            "Matlagning",
            "Cooking",
            "DEMO.2",
        )
    assert counts(registry) == [6, 2 * 7, 16]
