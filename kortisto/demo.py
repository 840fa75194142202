"""The demo network created on the embedded stack's first start: two organisations in a
sharing pool and one login per role."""

from dataclasses import dataclass

from sqlalchemy import select

from services.registry.identity import service as identity
from services.registry.identity.models import Organisation, OrganisationKind
from services.registry.identity.schemas import OrganisationIn, UserIn
from services.registry.pools import service as pools
from services.registry.runtime import Registry
from shared.auth import Principal

DEMO_PASSWORD = "kortisto-demo"  # published on purpose: demo data only
ACTOR = "system:demo-data"


@dataclass(frozen=True)
class DemoLogin:
    email: str
    display_name: str
    roles: tuple[str, ...]
    organisation: str


DEMO_ORGANISATIONS = {
    "Kotipolku tuki ry": OrganisationKind.support_provider,
    "Naapuruusyhdistys Kallio ry": OrganisationKind.association,
}
DEMO_LOGINS = (
    DemoLogin("admin@kotipolku.example", "Aino Admin", ("admin", "staff"), "Kotipolku tuki ry"),
    DemoLogin("staff@kotipolku.example", "Eero Etsijä", ("staff",), "Kotipolku tuki ry"),
    DemoLogin(
        "coordinator@kallio.example",
        "Kaisa Koordinaattori",
        ("admin", "coordinator"),
        "Naapuruusyhdistys Kallio ry",
    ),
    DemoLogin(
        "planner@kotipolku.example", "Pekka Suunnittelija", ("planner",), "Kotipolku tuki ry"
    ),
    DemoLogin("user@kotipolku.example", "Ville Käyttäjä", ("support_user",), "Kotipolku tuki ry"),
)


def seed(registry: Registry) -> bool:
    """Creates the demo network unless one exists; True when it was created now."""
    with registry.database.session() as session:
        names = set(DEMO_ORGANISATIONS)
        if session.scalar(select(Organisation.id).where(Organisation.name.in_(names))):
            return False
        organisations = {
            name: identity.create_organisation(session, OrganisationIn(name=name, kind=kind), ACTOR)
            for name, kind in DEMO_ORGANISATIONS.items()
        }
        for login in DEMO_LOGINS:
            identity.create_user(
                session,
                registry.keyring,
                organisations[login.organisation].id,
                UserIn(
                    email=login.email,
                    display_name=login.display_name,
                    password=DEMO_PASSWORD,
                    roles=list(login.roles),
                ),
                ACTOR,
            )
        first, second = organisations.values()
        first_admin = Principal(ACTOR, first.id, frozenset({"admin"}), kind="integration")
        second_admin = Principal(ACTOR, second.id, frozenset({"admin"}), kind="integration")
        pool = pools.create_pool(session, first_admin, "Kallion verkosto")
        pools.invite(session, first_admin, pool.id, second.id)
        pools.accept(session, second_admin, pool.id)
    return True
