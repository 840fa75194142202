"""Eco-maps and the pool network over HTTP against the real registry and matching: a worker
draws a support user's eco-map (members added, changed, removed; the drawing and its list in
words; the guiding questions), keeps snapshots and compares them, downloads the files; bad
input is refused at its field and changes nothing; the support user's own eco-map in plain
words with its steps, and nobody else's; the pool network with its findings, acquaintances
recorded and removed, and names only where the viewer may see them."""

import re
import secrets
import xml.etree.ElementTree as ET
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from services.matching.networks.ecomaps import GUIDING_QUESTIONS
from services.matching.runtime import Matching
from services.matching.tasks import apply
from services.registry.models import outbox as registry_outbox
from shared.database import Database
from tests.portal.conftest import (
    ANNA_EMAIL,
    ANNA_NAME,
    ANNA_PASSWORD,
    PEKKA_EMAIL,
    Elements,
    PortalStack,
    api_partner,
    csrf_of,
    index_for_matching,
    portal_client,
)
from tests.portal.test_support_users import api_support_user, post_form


def tag() -> str:
    return secrets.token_hex(3)


def eco_api(stack: PortalStack, person_id: str, email: str = ANNA_EMAIL) -> dict[str, Any]:
    """The eco-map as matching holds it, read as ``email``."""
    response = httpx.get(
        f"{stack.matching_url}/support-users/{person_id}/eco-map",
        headers=stack.api_token(email, ANNA_PASSWORD),
    )
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()
    return found


def snapshots_api(stack: PortalStack, person_id: str) -> list[dict[str, Any]]:
    response = httpx.get(
        f"{stack.matching_url}/support-users/{person_id}/eco-map/snapshots",
        headers=stack.api_token(ANNA_EMAIL, ANNA_PASSWORD),
    )
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()
    return found


def api_member(stack: PortalStack, person_id: str, **member: Any) -> str:
    response = httpx.post(
        f"{stack.matching_url}/support-users/{person_id}/eco-map/members",
        json=member,
        headers=stack.api_token(ANNA_EMAIL, ANNA_PASSWORD),
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def add_member(client: httpx.Client, person_id: str, **fields: Any) -> httpx.Response:
    page = f"/support-users/{person_id}/eco-map"
    data = {"reciprocity": "mutual", "frequency": "weekly", **fields}
    return post_form(client, page, f"{page}/members", data)


def svg_texts(html: str) -> list[str]:
    """The words in the page's drawing: written beside a node, or its title (a large
    network is drawn without the written names)."""
    found = re.search(r'<svg [^>]*class="drawing__svg".*?</svg>', html, re.S)
    assert found, "the page has no drawing"
    root = ET.fromstring(found.group(0))
    return [" ".join(t.itertext()).strip() for t in root.iter() if t.tag in ("text", "title")]


def test_a_worker_draws_the_eco_map_keeps_a_snapshot_and_compares(
    anna: httpx.Client, portal_stack: PortalStack, matching_index: Matching
) -> None:
    word = tag()
    name = f"Saara {word}"
    club = f"Kallion kokkikerho {word} ry"
    club_id = index_for_matching(matching_index, portal_stack, club, "Kokkikerho")
    person_id = api_support_user(portal_stack, name)
    page = f"/support-users/{person_id}/eco-map"

    # The profile leads to the eco-map; the empty map asks its questions.
    assert f'href="{page}"' in anna.get(f"/support-users/{person_id}").text
    empty = anna.get(page)
    assert empty.status_code == 200
    assert empty.headers["cache-control"] == "no-store"
    questions = Elements(empty.text).text_of("questions")
    assert GUIDING_QUESTIONS[0].fi in questions
    assert "Kartta on tyhjä." in empty.text

    mum, pirjo = f"Äiti {word}", f"Naapurin Pirjo {word}"
    added = add_member(
        anna,
        person_id,
        name=mum,
        relation="family",
        ring="inner",
        support=["company", "emotional"],
        frequency="daily",
    )
    assert added.status_code == 303
    assert added.headers["location"] == f"{page}#members"
    added = add_member(
        anna,
        person_id,
        name=pirjo,
        relation="neighbour",
        ring="middle",
        support=["practical"],
        reciprocity="gives",
        frequency="monthly",
        note="Käy kaupassa torstaisin",
    )
    assert added.status_code == 303

    html = anna.get(page).text
    assert "Jäsen lisättiin ekokarttaan." in html
    # The drawing shows both around the person, and says so to a screen reader.
    texts = svg_texts(html)
    assert name in texts and mum in texts and pirjo in texts
    drawing = Elements(html).find("svg", role="img")
    assert drawing and "jäseniä: 2" in drawing[0]["aria-label"]
    # The same in words, ring by ring.
    page_words = Elements(html)
    assert mum in page_words.text_of("ring-inner")
    assert pirjo in page_words.text_of("ring-middle")
    assert "Käytännön apu" in page_words.text_of("ring-middle")
    assert "Hän antaa henkilölle" in page_words.text_of("ring-middle")
    assert "Käy kaupassa torstaisin" in page_words.text_of("ring-middle")
    assert page_words.text_of("ring-outer").endswith("Tällä kehällä ei ole ketään.")

    # A snapshot, then the map grows: the club (linked to its card) and a worker.
    saved = post_form(anna, page, f"{page}/snapshots", {"label": "Ennen kokkikerhoa"})
    assert saved.status_code == 303
    history = anna.get(page).text
    assert "Ekokartta tallennettiin tilannekuvaksi." in history
    assert "Ennen kokkikerhoa" in Elements(history).text_of("history")
    snapshot_id = snapshots_api(portal_stack, person_id)[0]["id"]

    assert (
        add_member(
            anna,
            person_id,
            name=f"Kokkikerho {word}",
            relation="community",
            ring="outer",
            support=["company"],
            partner_id=club_id,
        ).status_code
        == 303
    )
    assert (
        add_member(
            anna,
            person_id,
            name=f"Ohjaaja Ville {word}",
            relation="staff",
            ring="middle",
            support=["advice"],
        ).status_code
        == 303
    )
    html = anna.get(page).text
    outer = Elements(html).text_of("ring-outer")
    assert f"Kokkikerho {word}" in outer and club in outer
    assert Elements(html).find("a", href=f"/partners/{club_id}")

    # Pirjo moves closer: edited on her own page.
    pirjo_id = next(
        m["id"] for m in eco_api(portal_stack, person_id)["members"] if m["name"] == pirjo
    )
    edit = anna.get(f"{page}/members/{pirjo_id}/edit")
    assert edit.status_code == 200
    form = Elements(edit.text)
    assert form.find("input", id="member-name", value=pirjo)
    assert form.find("input", type="checkbox", name="support", value="practical", checked="")
    saved = post_form(
        anna,
        f"{page}/members/{pirjo_id}/edit",
        f"{page}/members/{pirjo_id}/edit",
        {
            "name": pirjo,
            "relation": "neighbour",
            "ring": "inner",
            "support": ["practical"],
            "reciprocity": "mutual",
            "frequency": "weekly",
        },
    )
    assert saved.status_code == 303
    assert pirjo in Elements(anna.get(page).text).text_of("ring-inner")

    # Compared with the snapshot: the numbers side by side, the sentences, the lists.
    compared = anna.get(f"{page}/comparison", params={"before": snapshot_id, "after": "current"})
    assert compared.status_code == 200
    result = Elements(compared.text)
    assert f"Kokkikerho {word}" in result.text_of("added")
    assert f"Ohjaaja Ville {word}" in result.text_of("added")
    assert "Ei ketään." in result.text_of("lost")
    assert f"{pirjo}: Keskimmäinen kehä → Sisin kehä: läheisimmät" in result.text_of("changed")
    metrics = result.text_of("metrics")
    assert re.search(r"Jäsenet 2 4\b", metrics), metrics
    assert re.search(r"Palkalliset suhteet \(henkilöstö ja ammattilaiset\) 0 % 25 %", metrics)
    comparison = httpx.get(
        f"{portal_stack.matching_url}/support-users/{person_id}/eco-map/comparison",
        params={"before": snapshot_id},
        headers=portal_stack.api_token(ANNA_EMAIL),
    ).json()
    assert comparison["summary"]["fi"]
    summary = result.text_of("summary")
    for sentence in comparison["summary"]["fi"]:
        assert " ".join(sentence.split()) in summary

    # The snapshot on its own page: the map as it was.
    then = anna.get(f"{page}/snapshots/{snapshot_id}")
    assert then.status_code == 200
    assert f"Kokkikerho {word}" not in then.text
    assert pirjo in Elements(then.text).text_of("ring-middle")
    assert mum in svg_texts(then.text)

    # Downloads: the files name the members.
    graphml = anna.get(f"{page}.graphml")
    assert graphml.status_code == 200
    assert graphml.headers["content-disposition"].startswith("attachment")
    assert graphml.headers["cache-control"] == "no-store"
    assert "graphml" in graphml.headers["content-type"] or "xml" in graphml.headers["content-type"]
    root = ET.fromstring(graphml.content)
    assert root.tag.endswith("graphml")
    assert f"Kokkikerho {word}".encode() in graphml.content
    old = anna.get(f"{page}.json", params={"snapshot": snapshot_id})
    assert old.status_code == 200
    assert mum in old.text and f"Kokkikerho {word}" not in old.text
    assert anna.get(f"{page}.gexf").status_code == 200
    svg = anna.get(f"{page}.svg")
    assert svg.headers["content-type"].startswith("image/svg+xml")
    assert anna.get(f"{page}.pdf").status_code == 404

    # Removing one: gone from the map and the page.
    removed = post_form(anna, page, f"{page}/members/{pirjo_id}/remove", {})
    assert removed.status_code == 303
    html = anna.get(page).text
    assert "Jäsen poistettiin ekokartasta." in html
    assert pirjo not in html
    assert pirjo not in [m["name"] for m in eco_api(portal_stack, person_id)["members"]]


def test_bad_input_is_refused_at_its_field_and_changes_nothing(
    anna: httpx.Client, portal_stack: PortalStack, matching_index: Matching
) -> None:
    word = tag()
    person_id = api_support_user(portal_stack, f"Leena {word}")
    api_member(portal_stack, person_id, name=f"Sisko {word}", relation="family", ring="inner")
    snapshot = post_form(
        anna,
        f"/support-users/{person_id}/eco-map",
        f"/support-users/{person_id}/eco-map/snapshots",
        {"label": "Alku"},
    )
    assert snapshot.status_code == 303
    before = eco_api(portal_stack, person_id)
    snapshots_before = snapshots_api(portal_stack, person_id)

    # The portal's own checks, every one at once: no name, no ring, a relation it does not
    # know, too long a note.
    refused = add_member(anna, person_id, name="", relation="cousin", note="x" * 2001)
    assert refused.status_code == 422
    errors = Elements(refused.text)
    assert "Kirjoita nimi." in errors.text_of("member-name-error")
    assert "Valitse, kuka jäsen on henkilölle." in errors.text_of("member-relation-error")
    assert "Valitse, kuinka läheinen jäsen on." in errors.text_of("member-ring-error")
    assert "enintään 2000" in errors.text_of("member-note-error")
    for field in ("name", "relation", "ring", "note"):
        assert errors.find("a", href=f"#member-{field}"), field
    assert "<title>Virhe: " in refused.text

    # Matching's refusals, each at the field it names and all at once: a kind of support
    # it does not know (support.1) and a partner reference that cannot be one (partner_id);
    # then a partner that is not in its index (partner_id).
    refused = add_member(
        anna,
        person_id,
        name=f"Serkku {word}",
        relation="family",
        ring="outer",
        support=["company", "cooking"],
        partner_id="x" * 40,
    )
    assert refused.status_code == 422
    errors = Elements(refused.text)
    assert "Valitse tuen lajit luettelosta." in errors.text_of("member-support-error")
    assert "Tätä kumppania ei voi linkittää" in errors.text_of("member-partner_id-error")
    # What was typed stays in the form.
    assert errors.find("input", id="member-name", value=f"Serkku {word}")
    unindexed = api_partner(portal_stack, f"Kirpputori {word}")  # no consent to matching
    refused = add_member(
        anna,
        person_id,
        name=f"Kirppis {word}",
        relation="community",
        ring="outer",
        partner_id=unindexed,
    )
    assert refused.status_code == 422
    assert "Tätä kumppania ei voi linkittää" in Elements(refused.text).text_of(
        "member-partner_id-error"
    )
    # The same on the edit page.
    member_id = before["members"][0]["id"]
    edit = f"/support-users/{person_id}/eco-map/members/{member_id}/edit"
    refused = post_form(
        anna,
        edit,
        edit,
        {
            "name": "x" * 201,
            "relation": "family",
            "ring": "inner",
            "reciprocity": "mutual",
            "frequency": "weekly",
        },
    )
    assert refused.status_code == 422
    assert "enintään 200 merkkiin" in Elements(refused.text).text_of("member-name-error")

    # A snapshot without a name; a form sent without its token.
    page = f"/support-users/{person_id}/eco-map"
    refused = post_form(anna, page, f"{page}/snapshots", {"label": "  "})
    assert refused.status_code == 422
    assert "Anna tilannekuvalle nimi" in Elements(refused.text).text_of("snapshot-label-error")
    forged = anna.post(
        f"{page}/members",
        data={"csrf_token": "forged", "name": "Joku", "relation": "friend", "ring": "inner"},
    )
    assert forged.status_code == 422
    forged = anna.post(f"{page}/members/{member_id}/remove", data={"csrf_token": "forged"})
    assert forged.status_code == 400

    # Comparing with a snapshot that is not this map's.
    compared = anna.get(f"{page}/comparison", params={"before": "nonsense", "after": "current"})
    assert compared.status_code == 422
    assert "Valitse tilannekuva" in Elements(compared.text).text_of("compare-before-error")

    assert eco_api(portal_stack, person_id) == before
    assert snapshots_api(portal_stack, person_id) == snapshots_before


def test_the_comparison_counts_one_person_in_the_singular_in_both_languages(
    anna: httpx.Client, portal_stack: PortalStack, matching_index: Matching
) -> None:
    word = tag()
    person_id = api_support_user(portal_stack, f"Yksin {word}")
    api_member(portal_stack, person_id, name=f"Äiti {word}", relation="family", ring="inner")
    page = f"/support-users/{person_id}/eco-map"
    assert post_form(anna, page, f"{page}/snapshots", {"label": "Alku"}).status_code == 303
    [snapshot] = snapshots_api(portal_stack, person_id)
    comparison = f"{page}/comparison?before={snapshot['id']}&after=current"
    finnish = anna.get(comparison)
    assert finnish.status_code == 200
    assert "Verkostossa on yhä 1 henkilö." in finnish.text
    with portal_client(portal_stack, ANNA_EMAIL, "en") as english:
        assert "The network still has 1 person." in english.get(comparison).text


def test_the_support_user_has_their_own_eco_map_in_plain_words_and_nobody_elses(
    portal_stack: PortalStack, anna: httpx.Client, matching_index: Matching
) -> None:
    word = tag()
    email = f"oona-{word}@example.org"
    account = portal_stack.create_user(
        email, portal_stack.organisation_id, ["support_user"], f"Oona {word}", ANNA_PASSWORD
    )
    person_id = api_support_user(portal_stack, f"Oona {word}", account_user_id=account)
    api_member(
        portal_stack,
        person_id,
        name=f"Mummo {word}",
        relation="family",
        ring="inner",
        support=["emotional"],
        frequency="weekly",
    )
    other_id = api_support_user(portal_stack, f"Toinen {word}")
    api_member(portal_stack, other_id, name=f"Salainen {word}", relation="friend", ring="inner")

    with portal_client(portal_stack, email) as oona:
        assert 'href="/my-network/eco-map"' in oona.get("/my-network").text
        mine = oona.get("/my-network/eco-map")
        assert mine.status_code == 200
        assert mine.headers["cache-control"] == "no-store"
        people = Elements(mine.text).text_of("my-people")
        assert f"Mummo {word}" in people
        assert "Hyvin läheinen minulle" in people
        assert "Kuuntelee minua ja välittää minusta" in people
        assert "Joka viikko" in people
        # Plain words only: not the staff page's terms.
        assert "Sisin kehä" not in mine.text and "Henkinen tuki" not in mine.text
        assert f"Mummo {word}" in svg_texts(mine.text)
        assert GUIDING_QUESTIONS[1].fi in Elements(mine.text).text_of("my-questions")
        assert 'class="easy"' in mine.text

        # Adding a person, one question at a time; an unanswered step says so.
        step = oona.get("/my-network/eco-map/add")
        assert "Vaihe 1/6" in step.text
        token = csrf_of(step.text)
        answers = [
            ("name", f"Kaveri Aapo {word}"),
            ("relation", "friend"),
            ("ring", "middle"),
            ("support", "company"),
            ("reciprocity", "mutual"),
            ("frequency", "weekly"),
        ]
        sent: dict[str, Any] = {}
        for number, (field, value) in enumerate(answers):
            if field == "relation":
                unanswered = oona.post(
                    "/my-network/eco-map/add",
                    data={"csrf_token": token, "step": str(number), "go": "next", **sent},
                )
                assert unanswered.status_code == 422
                assert "Valitse yksi vastaus." in Elements(unanswered.text).text_of(
                    "member-relation-error"
                )
            sent[field] = value
            answer = oona.post(
                "/my-network/eco-map/add",
                data={"csrf_token": token, "step": str(number), "go": "next", **sent},
            )
            if number + 1 < len(answers):
                assert answer.status_code == 200, answer.text
                assert f"Vaihe {number + 2}/6" in answer.text
                # The answers so far travel in the form, nowhere else.
                assert f'name="name" value="Kaveri Aapo {word}"' in answer.text
        assert answer.status_code == 303
        assert answer.headers["location"] == "/my-network/eco-map#my-people"
        after = oona.get("/my-network/eco-map").text
        assert "Kiitos! Henkilö on nyt kartallasi." in after
        assert f"Kaveri Aapo {word}" in Elements(after).text_of("my-people")
        aapo = next(
            m
            for m in eco_api(portal_stack, person_id)["members"]
            if m["name"] == f"Kaveri Aapo {word}"
        )
        assert (aapo["relation"], aapo["ring"], aapo["support"]) == (
            "friend",
            "middle",
            ["company"],
        )

        # Back goes one step back with the answers kept.
        back = oona.post(
            "/my-network/eco-map/add",
            data={
                "csrf_token": token,
                "step": "2",
                "go": "back",
                "name": "Eetu",
                "relation": "friend",
                "ring": "outer",
            },
        )
        assert "Vaihe 2/6" in back.text
        assert Elements(back.text).find("input", name="relation", value="friend", checked="")

        # Nobody else's eco-map: not the staff pages, not the files, not matching itself.
        for path in (
            f"/support-users/{other_id}/eco-map",
            f"/support-users/{other_id}/eco-map.graphml",
            f"/support-users/{person_id}/eco-map",
            "/network",
        ):
            refused = oona.get(path)
            assert refused.status_code == 403, path
            assert f"Salainen {word}" not in refused.text
        direct = httpx.get(
            f"{portal_stack.matching_url}/support-users/{other_id}/eco-map",
            headers=portal_stack.api_token(email),
        )
        assert direct.status_code in (403, 404)

    # Staff have no "my map".
    assert anna.get("/my-network/eco-map").status_code == 403


# -- the pool network ---------------------------------------------------------------------


def relay_activities_to_matching(stack: PortalStack, partner_ids: set[str]) -> None:
    """What the worker would do: the registry's `activity.logged` events about these
    partners applied to matching, each once."""
    runtime = stack.matching_runtime
    assert runtime is not None
    registry = Database(stack.env["KORTISTO_REGISTRY_DATABASE_URL"], "registry")
    try:
        with registry.session() as session:
            rows = session.execute(
                select(registry_outbox.c.id, registry_outbox.c.payload)
                .where(registry_outbox.c.type == "activity.logged")
                .order_by(registry_outbox.c.created_at)
            ).all()
    finally:
        registry.dispose()
    for row in rows:
        if row.payload.get("partner_id") in partner_ids:
            message = {
                "id": row.id,
                "source": "registry",
                "type": "activity.logged",
                "payload": row.payload,
            }
            apply(runtime, message)


def record_acquaintance(client: httpx.Client, a: str, b: str, strength: str) -> httpx.Response:
    return post_form(
        client, "/network", "/network/acquaintances", {"a": a, "b": b, "strength": strength}
    )


@pytest.fixture
def anna_user_id(portal_stack: PortalStack) -> str:
    me = httpx.get(f"{portal_stack.registry_url}/me", headers=portal_stack.api_token(ANNA_EMAIL))
    assert me.status_code == 200, me.text
    return str(me.json()["user"]["id"])


def test_the_pool_network_shows_its_findings_with_names_only_where_allowed(
    anna: httpx.Client,
    pekka: httpx.Client,
    portal_stack: PortalStack,
    matching_index: Matching,
    anna_user_id: str,
) -> None:
    word = tag()
    library = index_for_matching(matching_index, portal_stack, f"Kirjasto {word}", "Lukupiiri")
    cafe = index_for_matching(matching_index, portal_stack, f"Kahvila {word}", "Kahvit")
    choir = index_for_matching(matching_index, portal_stack, f"Kuoro {word}", "Laulu")
    person_id = api_support_user(portal_stack, f"Pauli {word}")
    # Anna's contact with the library makes her a node, named by the portal.
    logged = httpx.post(
        f"{portal_stack.registry_url}/partners/{library}/activities",
        json={"kind": "contact", "content": "Puhelu"},
        headers=portal_stack.api_token(ANNA_EMAIL),
    )
    assert logged.status_code == 201, logged.text
    relay_activities_to_matching(portal_stack, {library})
    # Another organisation's partner that is not shared with the pool, with ties of its own.
    hidden = f"Salainen yhdistys {word}"
    hidden_id = index_for_matching(
        matching_index, portal_stack, hidden, "Salaisuudet", email=PEKKA_EMAIL
    )
    peers = index_for_matching(
        matching_index, portal_stack, f"Pekan kumppani {word}", "Tapaamiset", email=PEKKA_EMAIL
    )
    assert record_acquaintance(pekka, hidden_id, peers, "strong").status_code == 303

    page = anna.get("/network")
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    form = Elements(page.text)
    # Only those whose names Anna sees can be chosen; the drawing is there.
    assert form.find("option", value=library) and form.find("option", value=person_id)
    assert form.find("option", value=anna_user_id)
    assert f"{ANNA_NAME} (Työntekijä)" in page.text
    assert not form.find("option", value=hidden_id)
    assert form.find("svg", role="img")

    # The library links the café and the choir; the café knows Pauli.
    assert record_acquaintance(anna, library, cafe, "strong").status_code == 303
    assert record_acquaintance(anna, library, choir, "weak").status_code == 303
    assert record_acquaintance(anna, cafe, person_id, "weak").status_code == 303
    html = anna.get("/network").text
    assert "Tuttavuus kirjattiin." in html
    found = Elements(html)
    # Removing the library or the café splits the network: bottlenecks, named.
    points = found.text_of("finding-articulation-points")
    assert f"Kirjasto {word}" in points and f"Kahvila {word}" in points
    bridges = found.text_of("finding-bridges")
    assert (
        f"Kahvila {word} – Pauli {word}" in bridges or f"Pauli {word} – Kahvila {word}" in bridges
    )
    assert re.search(r"Vahvoja: \d+, heikkoja: \d+", found.text_of("finding-ties"))
    assert found.text_of("betweenness-method").startswith("Tarkasti")
    network = httpx.get(
        f"{portal_stack.matching_url}/networks/pool",
        headers=portal_stack.api_token(ANNA_EMAIL),
    ).json()
    for sentence in network["summary"]["fi"]:
        assert " ".join(sentence.split()) in found.text_of("findings")
    acquaintances = found.text_of("acquaintances")
    assert f"Kirjasto {word}" in acquaintances and "Vahva suhde" in acquaintances
    assert f"Kuoro {word}" in svg_texts(html)

    # A second time is refused at the field, and nothing is added.
    again = record_acquaintance(anna, cafe, library, "weak")
    assert again.status_code == 422
    assert "on jo kirjattu tutuiksi" in Elements(again.text).text_of("acquaintance-b-error")
    same = record_acquaintance(anna, cafe, cafe, "weak")
    assert same.status_code == 422
    assert "Valitse kaksi eri henkilöä." in Elements(same.text).text_of("acquaintance-b-error")
    unknown = record_acquaintance(anna, hidden_id, cafe, "weak")
    assert unknown.status_code == 422
    assert "Valitse ensimmäinen henkilö" in Elements(unknown.text).text_of("acquaintance-a-error")
    listed = httpx.get(
        f"{portal_stack.matching_url}/networks/acquaintances",
        headers=portal_stack.api_token(ANNA_EMAIL),
    ).json()
    ours = [a for a in listed if {a["a"]["id"], a["b"]["id"]} & {library, cafe, person_id}]
    assert len(ours) == 3

    # The hidden partner is in Pekka's network, never in Anna's page or files.
    assert hidden in pekka.get("/network").text
    for path in (
        "/network",
        "/network/pool.svg",
        "/network/pool.graphml",
        "/network/pool.gexf",
        "/network/pool.json",
    ):
        answer = anna.get(path)
        assert answer.status_code == 200, path
        assert hidden not in answer.text, path
        assert hidden_id not in answer.text, path
    download = anna.get("/network/pool.graphml")
    assert download.headers["content-disposition"].startswith("attachment")
    assert f"Kirjasto {word}".encode() in download.content

    # Removing an acquaintance.
    choir_tie = next(a for a in ours if choir in (a["a"]["id"], a["b"]["id"]))
    removed = post_form(anna, "/network", f"/network/acquaintances/{choir_tie['id']}/remove", {})
    assert removed.status_code == 303
    html = anna.get("/network").text
    assert "Tuttavuus poistettiin." in html
    assert f'id="acquaintance-{choir_tie["id"]}"' not in html


def test_the_network_is_in_the_menu_for_staff_only(
    anna: httpx.Client, portal_stack: PortalStack
) -> None:
    menu = Elements(anna.get("/").text)
    assert menu.find("a", href="/network")
    word = tag()
    email = f"planner-{word}@example.org"
    portal_stack.create_user(
        email, portal_stack.organisation_id, ["planner"], f"Suunnittelija {word}", ANNA_PASSWORD
    )
    with portal_client(portal_stack, email) as planner:
        assert not Elements(planner.get("/").text).find("a", href="/network")
        assert planner.get("/network").status_code == 403
        assert planner.get("/network/pool.graphml").status_code == 403
