"""The demo network created on the embedded stack's first start: two organisations in a
sharing pool, one login per role, partners, and a support user with a wish."""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.registry.consent.schemas import ConsentIn, Method
from services.registry.identity import service as identity
from services.registry.identity.models import Organisation, OrganisationKind
from services.registry.identity.schemas import OrganisationIn, UserIn
from services.registry.partners import creation
from services.registry.partners.models import PartnerKind, TieStrength
from services.registry.partners.schemas import PartnerIn
from services.registry.pools import service as pools
from services.registry.reference import service as reference
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


def _consent(*purposes: str, scope: str | None = None) -> list[ConsentIn]:
    return [
        ConsentIn(
            purpose=p,
            scope=scope if ":" in p else None,
            method=Method.written,
            information_version="demo-1",
        )
        for p in purposes
    ]


def _offer(title: str, description: str, schedule: str) -> dict[str, str]:
    return {"title": title, "description": description, "schedule": schedule}


def _demo_partners(pool_id: str) -> list[tuple[int, PartnerIn]]:
    """(which organisation owns it, the partner): a small Kallio network."""
    pooled = f"pool:{pool_id}"
    return [
        (
            0,
            PartnerIn(
                kind=PartnerKind.organisation,
                district_code="00530",
                category_codes=["P25.5"],
                tie_strength=TieStrength.strong,
                consents=_consent(
                    "file", "team", "matching", "statistics", pooled, scope="contact"
                ),
                card={
                    "name": "Kallion kokkikerho",
                    "contact": {"email": "kokkikerho@example.org"},
                    "target_group": "Kaikki ruoanlaitosta kiinnostuneet",
                    "offers": [
                        _offer(
                            "Kokkikerho",
                            "Laitetaan ruokaa yhdessä ja syödään yhdessä",
                            "tiistaisin 17–19",
                        )
                    ],
                    "resources_available": ["opetuskeittiö"],
                    "resources_needed": ["vapaaehtoinen ohjaaja"],
                },
            ),
        ),
        (
            0,
            PartnerIn(
                kind=PartnerKind.organisation,
                district_code="00530",
                category_codes=["P25.1"],
                consents=_consent("file", "team", "matching", "statistics", pooled),
                card={
                    "name": "Kallion kirjasto",
                    "contact": {"phone": "09 310 85000"},
                    "facilities": "Esteetön sisäänkäynti, kokoushuone",
                    "offers": [
                        _offer("Lukupiiri", "Selkokirjojen lukupiiri", "torstaisin 14–15"),
                        _offer(
                            "Digituki", "Apua puhelimen ja koneen käyttöön", "maanantaisin 10–12"
                        ),
                    ],
                    "resources_available": ["kokoushuone"],
                },
            ),
        ),
        (
            0,
            PartnerIn(
                kind=PartnerKind.organisation,
                district_code="00500",
                category_codes=["P25.6"],
                consents=_consent("file", "team", "statistics"),
                card={
                    "name": "Sörnäisten seurakunta",
                    "contact": {"email": "diakonia@example.org"},
                    "offers": [
                        _offer("Yhteislaulu", "Lauletaan tuttuja lauluja", "keskiviikkoisin 13")
                    ],
                    "resources_needed": ["vapaaehtoisia kahvinkeittäjiä"],
                },
            ),
        ),
        (
            0,
            PartnerIn(
                kind=PartnerKind.citizen,
                district_code="00530",
                tie_strength=TieStrength.weak,
                consents=_consent("file", "team", "matching", "greetings"),
                card={
                    "name": "Helmi Naapuri",
                    "contact": {"phone": "040 123 4567"},
                    "birthday": "1958-04-12",
                    "skills": ["ruoanlaitto", "leipominen"],
                    "availability": [{"weekday": 2, "start": "16:00", "end": "20:00"}],
                },
            ),
        ),
        (
            0,
            PartnerIn(
                kind=PartnerKind.citizen,
                district_code="00510",
                consents=_consent("file", "team", "matching", pooled, scope="basic"),
                card={
                    "name": "Juha Kävelijä",
                    "contact": {"email": "juha@example.org"},
                    "skills": ["kävelyseura", "walking company"],
                    "availability": [{"weekday": 6, "start": "10:00", "end": "14:00"}],
                },
            ),
        ),
        (
            1,
            PartnerIn(
                kind=PartnerKind.organisation,
                district_code="00550",
                category_codes=["P27.1"],
                consents=_consent("file", "team", "statistics", pooled, scope="contact"),
                card={
                    "name": "Vallilan liikuntakeskus",
                    "contact": {"website": "https://example.org"},
                    "facilities": "Esteetön kuntosali",
                    "offers": [
                        _offer(
                            "Ohjattu kuntosali",
                            "Kuntosalivuoro avustajan kanssa",
                            "perjantaisin 11–12",
                        )
                    ],
                },
            ),
        ),
    ]


# Where the demo partners go when the defaults are the made-up demo set instead of the
# Helsinki postal areas and the national service classes.
DEMO_SET_DISTRICTS = {"00530": "DEMO-1", "00500": "DEMO-2", "00510": "DEMO-3", "00550": "DEMO-5"}
DEMO_SET_CATEGORIES = {
    "P25.5": "DEMO.2.2",
    "P25.1": "DEMO.2.3",
    "P25.6": "DEMO.2.3",
    "P27.1": "DEMO.2.1",
}


def _placed(session: Session, organisation_id: str, data: PartnerIn) -> PartnerIn:
    """The partner with the district and categories that are loaded: the real ones, else
    their demo set counterparts, else none."""
    district = data.district_code or ""
    if not reference.district_exists(session, organisation_id, district):
        district = DEMO_SET_DISTRICTS.get(district, "")
        if not reference.district_exists(session, organisation_id, district):
            return data.model_copy(update={"district_code": None, "category_codes": []})
        codes = [DEMO_SET_CATEGORIES[c] for c in data.category_codes]
        return data.model_copy(update={"district_code": district, "category_codes": codes})
    return data


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
        users = {}
        for login in DEMO_LOGINS:
            users[login.email] = identity.create_user(
                session,
                registry,
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
        for owner, data in _demo_partners(pool.id):
            organisation = (first, second)[owner]
            staff = Principal(ACTOR, organisation.id, frozenset({"admin"}), kind="integration")
            data = _placed(session, organisation.id, data)
            creation.create_partner(session, registry, staff, data)
    _seed_support_user(
        organisation_id=first.id,
        worker_user_id=users["staff@kotipolku.example"].id,
        account_user_id=users["user@kotipolku.example"].id,
    )
    return True


def _seed_support_user(organisation_id: str, worker_user_id: str, account_user_id: str) -> None:
    """Ville, who signs in as user@kotipolku.example, with his consent and one wish: the
    suggestions appear once the worker has relayed the partners to matching."""
    from services.matching.runtime import Matching
    from services.matching.settings import MatchingSettings
    from services.matching.support_users import service as support_users
    from services.matching.support_users.schemas import ConsentIn as PersonConsent
    from services.matching.support_users.schemas import SupportUserIn
    from services.matching.wishes import service as wishes
    from services.matching.wishes.schemas import WishIn

    matching = Matching.build(MatchingSettings())
    worker = Principal(worker_user_id, organisation_id, frozenset({"staff"}))
    try:
        with matching.database.session() as session:
            person = support_users.create(
                session,
                matching,
                worker,
                SupportUserIn(
                    name="Ville Käyttäjä",
                    account_user_id=account_user_id,
                    availability=[{"weekday": 2, "start": "16:00", "end": "20:00"}],
                ),
            )
            support_users.record_consent(
                session,
                worker,
                person.id,
                PersonConsent(purpose="matching", action="granted", method="written"),
            )
            wishes.add_wish(
                session,
                matching,
                worker,
                person.id,
                WishIn(text="Haluan oppia kokkaamaan ja tavata ihmisiä"),
            )
    finally:
        matching.database.dispose()
