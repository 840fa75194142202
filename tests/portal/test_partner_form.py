"""The partner form without any service: what a form sends becomes the registry's payload,
and the registry's error ``field`` comes back to the form field it belongs to."""

from datetime import date

import pytest
from starlette.datastructures import FormData

from services.portal.partner_form import (
    SHARE_ORGANISATION,
    ConsentChoice,
    PartnerForm,
    friendly_message,
    purpose_id,
)
from services.portal.partner_pages import days_since_months_ago, same_name
from shared.local_time import today_in

POOL = "pool:0b9c7a52-3c4e-4a57-9d1d-2f0e8f1f7c11"
OTHER = "5d0c2a34-8f1e-4b6a-9c3d-7e2f1a0b9c88"


def organisation_form(**extra: str | list[str]) -> PartnerForm:
    items: list[tuple[str, str]] = [
        ("name", "Kallion kokkikerho"),
        ("contact_email", "kerho@example.org"),
        ("offers-0-title", ""),
        ("offers-1-title", "Kokkikerho"),
        ("offers-1-schedule", "ti 17–19"),
        ("offers-2-title", "Leipäkerho"),
        ("resources_available", "Keittiö\n\n  Sali  \n"),
        ("category-0", ""),
        ("category-1", "P1.1"),
        ("category-2", "P2"),
        ("purpose", "team"),
        ("purpose", POOL),
        ("purpose", "file"),
        ("purpose", "pool:someone-else"),
        (f"scope-{purpose_id(POOL)}", "contact"),
        ("consent_method", "written"),
        ("information_version", "2026-1"),
    ]
    for name, value in extra.items():
        items += [(name, v) for v in (value if isinstance(value, list) else [value])]
    return PartnerForm.from_form("organisation", FormData(items), [POOL])


def test_a_form_becomes_the_registrys_payload() -> None:
    payload = organisation_form().create_payload()
    assert payload["kind"] == "organisation"
    card = payload["card"]
    assert card["name"] == "Kallion kokkikerho"
    assert card["contact"] == {
        "email": "kerho@example.org",
        "phone": None,
        "address": "",
        "website": "",
    }
    assert [o["title"] for o in card["offers"]] == ["Kokkikerho", "Leipäkerho"]
    assert card["resources_available"] == ["Keittiö", "Sali"]
    assert payload["category_codes"] == ["P1.1", "P2"]
    # `file` first, only the pools offered, each sharing with its scope.
    assert [c["purpose"] for c in payload["consents"]] == ["file", "team", POOL]
    assert payload["consents"][2]["scope"] == "contact"
    assert "scope" not in payload["consents"][0]
    assert {c["method"] for c in payload["consents"]} == {"written"}
    assert payload["consents"][0]["obtained_on"] == today_in("Europe/Helsinki").isoformat()


@pytest.mark.parametrize(
    ("api_field", "message", "form_field"),
    [
        ("card.name", "", "name"),
        ("card", "", "name"),
        ("card.contact.email", "value is not a valid email address", "contact_email"),
        ("card.contact.phone", "not a valid phone number", "contact_phone"),
        ("card.contact", "a pending partner needs an e-mail or a phone", "contact_email"),
        ("card.offers.0.title", "", "offers-0-title"),
        ("card.offers.1", "", "offers-1-title"),
        ("card.resources_available.3", "", "resources_available"),
        ("category_codes[1]", "unknown category", "category-1"),
        ("category_codes.0", "", "category-0"),
        ("district_code", "unknown district", "district_code"),
        ("responsible_user_id", "", "responsible_user_id"),
        ("consents[1].purpose", "'team' needs `file` consent first", "purpose-team"),
        ("consents.2.purpose", "not an active member of that pool", purpose_id(POOL)),
        ("consents.0.method", "", "consent_method"),
        ("consents.0.information_version", "", "information_version"),
        ("consents.0", "valid_until must be after obtained_on", "valid_until"),
        ("consents.0", "obtained_on cannot be in the future", "obtained_on"),
        ("consents", "without `file` consent only a name…", "purpose-file"),
        ("something_else", "", None),
        (None, "", None),
    ],
)
def test_the_registrys_error_field_comes_back_to_its_form_field(
    api_field: str | None, message: str, form_field: str | None
) -> None:
    form = organisation_form()
    form.create_payload()
    assert form.field_for(api_field, message) == form_field


def test_a_citizens_availability_errors_land_on_the_slot_they_came_from() -> None:
    form = PartnerForm.from_form(
        "citizen",
        FormData(
            [
                ("name", "Liisa"),
                ("availability-0-weekday", ""),
                ("availability-1-weekday", "2"),
                ("availability-1-start", "18:00"),
                ("availability-1-end", "17:00"),
                ("skills", "leipominen\nneulominen"),
                ("birthday", "1970-05-01"),
            ]
        ),
    )
    card = form.create_payload()["card"]
    assert card["availability"] == [{"weekday": 2, "start": "18:00", "end": "17:00"}]
    assert card["skills"] == ["leipominen", "neulominen"]
    assert card["birthday"] == "1970-05-01"
    # Blank slots are dropped when the form comes back, so slot 1 is now slot 0.
    assert form.field_for("card.availability.0", "end must be after start") == (
        "availability-0-end"
    )
    assert len(form.availability) >= 2, "an empty slot to add one more"


def test_the_body_list_of_a_consent_call_is_understood_too() -> None:
    choice = ConsentChoice(purposes=["file", "team"])
    assert choice.field_for("0.method", "") == "consent_method"
    assert choice.field_for("body[1].purpose", "") == "purpose-team"


def test_one_named_organisation_is_shared_with_at_its_scope() -> None:
    form = organisation_form(**{SHARE_ORGANISATION: OTHER, "share_organisation_scope": "contact"})
    consents = form.create_payload()["consents"]
    assert [c["purpose"] for c in consents] == ["file", "team", POOL, f"organisation:{OTHER}"]
    assert consents[3]["scope"] == "contact"
    assert form.consent.organisation == OTHER, "kept for the form coming back"
    assert form.consent.organisation_scope == "contact"

    # The empty choice shares with nobody; an unknown scope falls back to the narrowest.
    assert "organisation:" not in str(
        organisation_form(**{SHARE_ORGANISATION: ""}).create_payload()
    )
    narrow = ConsentChoice.from_form(
        FormData(
            [("purpose", "file"), (SHARE_ORGANISATION, OTHER), ("share_organisation_scope", "all")]
        ),
        [],
    )
    assert narrow.payload()[1]["purpose"] == f"organisation:{OTHER}"
    assert narrow.payload()[1]["scope"] == "basic"


@pytest.mark.parametrize(
    ("api_field", "message", "expected"),
    [
        ("1.purpose", "no such organisation", "Choose the organisation from the list."),
        (
            "body[1].purpose",
            "unknown purpose 'organisation:x'",
            "Choose the organisation from the list.",
        ),
        (
            "consents[1].purpose",
            "an organisation cannot be a further recipient of its own partner",
            "Choose another organisation than your own.",
        ),
        ("1.scope", "", "Choose the organisation from the list."),
    ],
)
def test_an_error_about_the_named_organisation_comes_back_to_its_select(
    api_field: str, message: str, expected: str
) -> None:
    choice = ConsentChoice.from_form(
        FormData([("purpose", "file"), (SHARE_ORGANISATION, OTHER)]), []
    )
    field = choice.field_for(api_field, message)
    assert field == SHARE_ORGANISATION
    assert friendly_message(field, "invalid", message, lambda text: text) == expected


def test_the_name_typed_to_confirm_an_erasure_ignores_case_and_spaces() -> None:
    assert same_name("  kallion KOKKIKERHO ", "Kallion kokkikerho")
    assert same_name("Kallion  kokkikerho", "Kallion kokkikerho")
    assert same_name("ÄÄNEKKÄÄT", "ääNekkäät")
    assert not same_name("Kallion kokki", "Kallion kokkikerho")
    assert not same_name("", "")
    assert not same_name("   ", "Kallion kokkikerho")


def test_an_edit_keeps_the_card_fields_the_form_does_not_show() -> None:
    form = organisation_form()
    form.base_card = {"name": "Vanha", "future_field": "kept"}
    patch = form.patch_payload(pending=False)
    assert patch["card"]["future_field"] == "kept"
    assert patch["card"]["name"] == "Kallion kokkikerho"
    assert set(form.patch_payload(pending=True)) == {"card"}


@pytest.mark.parametrize(
    ("today", "months", "days"),
    [
        (date(2026, 11, 23), 6, 184),
        (date(2026, 3, 31), 1, 31),  # 28 February is the day a month before
        (date(2026, 1, 15), 12, 365),
    ],
)
def test_months_become_the_registrys_days(today: date, months: int, days: int) -> None:
    assert days_since_months_ago(months, today) == days
