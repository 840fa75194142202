"""Required fields are marked as such, for the eye and for assistive technology alike:
"(required)" in words after the label (or in a group's legend), and ``required`` on the
control (a group of checkboxes, where one of them is enough, says it in its legend's name).
Optional fields are not marked. Checked on the forms people fill in most, in both
languages."""

from collections.abc import Iterator
from html.parser import HTMLParser

import httpx
import pytest
from fastapi.testclient import TestClient

from services.matching.runtime import Matching
from tests.portal.conftest import OLLI_EMAIL, PortalStack, api_partner, portal_client
from tests.portal.test_meetings import raise_matter
from tests.portal.test_support_users import api_support_user

MARKER = "field__required"


class Fields(HTMLParser):
    """The form fields of a page's main content: which controls and radio groups are
    required, which groups hold checkboxes, and which labels and legends carry the visible
    marker (and whether it is hidden from assistive technology, which must then learn it
    from the control's ``required``)."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.required: set[str] = set()  # controls by id, radio groups by their group's id
        self.radio_groups: set[str] = set()
        self.checkbox_groups: set[str] = set()
        self.labels: dict[str, str] = {}  # control id -> its label's text
        self.label_marks: dict[str, bool] = {}  # control id -> marker hidden?
        self.legend_marks: dict[str, bool] = {}  # group id -> marker hidden?
        self.marker_texts: set[str] = set()
        self._in_main = False
        self._label: str | None = None
        self._last_label: str | None = None  # the marker follows its field's label
        self._legend: str | None = None
        self._groups: list[str] = []
        self._marker_depth = 0
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {name: value or "" for name, value in attrs}
        if tag == "main":
            self._in_main = True
        if not self._in_main:
            return
        if self._marker_depth:
            self._marker_depth += 1
        if tag == "fieldset":
            self._groups.append(a.get("id", "").removesuffix("-group"))
        elif tag == "legend":
            self._legend = self._groups[-1] if self._groups else ""
        elif tag == "label" and "for" in a:
            self._label = self._last_label = a["for"]
            self.labels[self._label] = ""
        elif tag in ("input", "select", "textarea") and a.get("type") != "hidden":
            required = "required" in a or a.get("aria-required") == "true"
            group = self._groups[-1] if self._groups else a.get("name", "")
            if a.get("type") == "radio":
                self.radio_groups.add(group)
                if required:
                    self.required.add(group)
            elif a.get("type") == "checkbox":
                self.checkbox_groups.add(group)
                assert not required, f"a required checkbox in {group}: every box must be ticked"
            elif required:
                self.required.add(a.get("id", ""))
        if MARKER in a.get("class", "").split():
            hidden = a.get("aria-hidden") == "true"
            if self._legend is not None:
                self.legend_marks[self._legend] = hidden
            else:
                assert self._label is None, "the marker belongs after the label, not in it"
                assert self._last_label is not None, "a marker without a label or legend"
                self.label_marks[self._last_label] = hidden
            self._marker_depth = 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "main":
            self._in_main = False
        elif tag == "fieldset" and self._groups:
            self._groups.pop()
        elif tag == "legend":
            self._legend = None
        elif tag == "label":
            self._label = None
        if self._marker_depth:
            self._marker_depth -= 1

    def handle_data(self, data: str) -> None:
        if self._label is not None:
            self.labels[self._label] += data
        if self._marker_depth and data.strip():
            self.marker_texts.add(data.strip())

    def required_fields(self) -> set[str]:
        """What the page tells is required: each control and radio group with
        ``required``, and each group of checkboxes whose legend names it so."""
        return self.required | (set(self.legend_marks) & self.checkbox_groups)


def assert_consistent(html: str, language: str = "fi") -> Fields:
    """Every required control says so in its label (or its group's legend), and nothing
    else does."""
    fields = Fields(html)
    word = {"fi": "(pakollinen)", "en": "(required)"}[language]
    assert fields.marker_texts <= {word}, fields.marker_texts
    for control in fields.required:
        if control in fields.radio_groups:
            assert control in fields.legend_marks, f"the group {control} is required, unmarked"
        else:
            assert control in fields.label_marks, f"{control} is required, its label not"
            # The control tells assistive technology; the word would say it twice.
            assert fields.label_marks[control], control
    for control in fields.label_marks:
        assert control in fields.required, f"{control} is marked but not required"
    for group, hidden in fields.legend_marks.items():
        if group in fields.checkbox_groups:
            # No attribute says "tick at least one": the group's name does.
            assert not hidden, group
        else:
            assert group in fields.required, f"the group {group} is marked but not required"
    return fields


@pytest.fixture(scope="module")
def olli_client(portal_stack: PortalStack) -> Iterator[httpx.Client]:
    with portal_client(portal_stack, OLLI_EMAIL) as client:
        yield client


def test_the_login_form_marks_both_fields(client: TestClient) -> None:
    page = client.get("/login", headers={"Accept-Language": "en"})
    fields = assert_consistent(page.text, "en")
    assert fields.required_fields() == {"email", "password"}
    # The field's name stays its label's words; "(required)" follows the label.
    assert fields.labels["password"] == "Password"


def test_the_partner_forms_mark_only_the_name(
    olli_client: httpx.Client, portal_stack: PortalStack
) -> None:
    partner_id = api_partner(portal_stack, "Merkitty kumppani")
    for path in (
        "/partners/new/organisation",
        "/partners/new/citizen",
        f"/partners/{partner_id}/edit",
    ):
        fields = assert_consistent(olli_client.get(path).text)
        assert fields.required_fields() == {"name"}, path


def test_the_support_user_form_marks_the_name_and_the_languages(
    olli_client: httpx.Client, portal_stack: PortalStack, matching_index: Matching
) -> None:
    fields = assert_consistent(olli_client.get("/support-users/new").text)
    assert fields.required_fields() == {"name", "languages"}
    # One language of several is enough: the group says it in its name, not each box.
    assert fields.legend_marks["languages"] is False
    person_id = api_support_user(portal_stack, "Merkitty tuettava")
    fields = assert_consistent(olli_client.get(f"/support-users/{person_id}/edit").text)
    assert fields.required_fields() == {"name", "languages"}

    # The eco-map's member form: the name, who they are and how close; and a snapshot's name.
    fields = assert_consistent(olli_client.get(f"/support-users/{person_id}/eco-map").text)
    assert fields.required_fields() == {
        "member-name",
        "member-relation",
        "member-ring",
        "snapshot-label",
    }


def test_the_meeting_form_marks_the_day_and_the_hours(
    olli_client: httpx.Client, portal_stack: PortalStack
) -> None:
    matter_id = raise_matter(olli_client, "Merkityt kentät")
    path = f"/meetings/matters/{matter_id}/meetings/new"
    fields = assert_consistent(olli_client.get(path).text)
    assert fields.required_fields() == {"day", "starts", "ends"}
    fields = assert_consistent(olli_client.get("/meetings/matters/new").text)
    assert {"topic", "aim", "why", "whose", "decision_level"} <= fields.required_fields()


def test_the_newsletter_form_marks_what_each_part_needs(olli_client: httpx.Client) -> None:
    fields = assert_consistent(olli_client.get("/reminders/newsletters/new").text)
    assert fields.required_fields() == {"subject", "block-0-title", "block-0-text"}


def test_forms_across_the_portal_mark_their_required_fields_consistently(
    olli_client: httpx.Client, portal_stack: PortalStack
) -> None:
    partner_id = api_partner(portal_stack, "Johdonmukainen kumppani")
    for path in (
        f"/partners/{partner_id}",
        "/partners/new",
        "/partners/import",
        "/districts",
        "/reminders/settings",
        "/reminders/policy",
        "/reminders/newsletters",
        "/meetings/matters/new",
        "/planning/sharing",
        "/network",
    ):
        response = olli_client.get(path)
        assert response.status_code == 200, path
        assert_consistent(response.text)
