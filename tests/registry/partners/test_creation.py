"""Creating partners and finding what they may duplicate, on PostgreSQL and on the embedded
SQLite default, which look duplicates up in different ways."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from services.registry.consent.schemas import ConsentIn
from services.registry.identity import service as identity
from services.registry.identity.models import OrganisationKind
from services.registry.identity.schemas import OrganisationIn, UserIn
from services.registry.partners import creation
from services.registry.partners.checks import Checks
from services.registry.partners.models import PartnerKind
from services.registry.partners.schemas import PartnerIn
from services.registry.runtime import Registry
from services.registry.settings import RegistrySettings
from shared import migrations
from shared.auth import Principal
from tests.registry.conftest import PASSWORD


@pytest.fixture
def sqlite_registry(tmp_path: Path) -> Iterator[Registry]:
    settings = RegistrySettings(
        database_url=f"sqlite:///{tmp_path / 'registry.db'}", data_dir=tmp_path, environment="test"
    )
    runtime = Registry.build(settings)
    migrations.upgrade("registry", runtime.database)
    yield runtime
    runtime.database.dispose()


@pytest.fixture(params=["postgresql", "sqlite"])
def runtime(request: pytest.FixtureRequest) -> Registry:
    name = "registry" if request.param == "postgresql" else "sqlite_registry"
    found: Registry = request.getfixturevalue(name)
    return found


def staff_of_new_organisation(runtime: Registry) -> Principal:
    with runtime.database.session() as session:
        org = identity.create_organisation(
            session, OrganisationIn(name="Kotipolku", kind=OrganisationKind.support_provider), "t"
        )
        user = identity.create_user(
            session,
            runtime,
            org.id,
            UserIn(
                email="staff@kotipolku.example",
                display_name="S",
                password=PASSWORD,
                roles=["staff"],
            ),
            "t",
        )
        return Principal(user.id, org.id, frozenset({"staff"}))


def citizen(name: str, email: str = "", phone: str = "") -> PartnerIn:
    contact = {key: value for key, value in (("email", email), ("phone", phone)) if value}
    return PartnerIn(
        kind=PartnerKind.citizen,
        card={"name": name, "contact": contact},
        consents=[ConsentIn(purpose="file", method="written", information_version="v1")],
    )


def test_duplicates_are_found_by_email_phone_or_whole_name(runtime: Registry) -> None:
    staff = staff_of_new_organisation(runtime)
    with runtime.database.session() as session:
        matti = creation.create_partner(
            session, runtime, staff, citizen("Matti Meikäläinen", "matti@example.org")
        )
        assert matti.possible_duplicates == []
        by_email = creation.create_partner(
            session, runtime, staff, citizen("M. M.", " MATTI@example.org")
        )
        by_name = creation.create_partner(
            session, runtime, staff, citizen("meikalainen matti", phone="040 123 4567")
        )
        other = creation.create_partner(
            session, runtime, staff, citizen("Maija Meikäläinen", "maija@example.org")
        )
    assert by_email.possible_duplicates == [matti.id]
    assert by_name.possible_duplicates == [matti.id]
    assert other.possible_duplicates == []

    # Written together, partners find each other and the ones already in the file.
    with runtime.database.session() as session:
        checks = Checks(session, staff.organisation_id)
        batch = [
            citizen("Eero Esimerkki", phone="+358 40 765 4321"),
            citizen("E. E.", phone="040 7654321"),
            citizen("Matti Meikäläinen"),
        ]
        checked = [creation.check(checks, staff, data) for data in batch]
        made = creation.write(session, runtime, staff, checked)
        found = creation.duplicates_of(
            session, runtime, [(p, c.document) for p, c in zip(made, checked, strict=True)]
        )
    eero, ee, matti_again = (p.id for p in made)
    assert found[eero] == [ee] and found[ee] == [eero]
    assert found[matti_again] == sorted([matti.id, by_name.id])
