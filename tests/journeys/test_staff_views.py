"""Every staff page stands on one stack (journeys.admin.staff_views): the builder and the
reports answer the same way to someone signed out, to staff without the right group, to
the wrong HTTP method, and each refuses in its own plain words."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, User

pytestmark = pytest.mark.django_db

BUILDER = "/admin/builder/"
REPORTS = "/admin/reports/"


def _signed_in(client, group: str | None, *, staff: bool = True) -> None:
    user = User.objects.create_user("pat", "pat@example.com", "pw", is_staff=staff)
    if group:
        user.groups.add(Group.objects.get(name=group))
    client.force_login(user)


@pytest.mark.parametrize("url", [BUILDER, REPORTS])
def test_signed_out_people_are_sent_to_the_admin_login(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(f"/admin/login/?next={url}")


@pytest.mark.parametrize("url", [BUILDER, REPORTS])
def test_people_who_are_not_staff_are_sent_to_the_admin_login(client, url):
    _signed_in(client, "Journey editors", staff=False)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_staff_without_a_group_are_refused_each_page_in_its_own_words(client):
    _signed_in(client, None)
    builder = client.get(BUILDER)
    assert builder.status_code == 403
    assert "You cannot see journeys." in builder.content.decode()
    assert "Journey editors" in builder.content.decode()
    reports = client.get(REPORTS)
    assert reports.status_code == 403
    assert "Report viewers" in reports.content.decode()


def test_an_htmx_request_is_refused_with_a_toast_not_a_page(client):
    _signed_in(client, "Report viewers")
    response = client.post(f"{BUILDER}new/", {"name": "Trial"}, headers={"HX-Request": "true"})
    assert response.status_code == 403
    assert response["HX-Retarget"] == "#builder-toast"
    body = response.content.decode()
    assert "You can look at journeys but not create them." in body
    assert "<html" not in body


@pytest.mark.parametrize(
    "url", [f"{BUILDER}new/", f"{REPORTS}trial/steps/Welcome/act/"], ids=["builder", "reports"]
)
def test_a_page_that_only_takes_a_form_refuses_a_plain_visit(client, url):
    _signed_in(client, "Journey editors")
    assert client.get(url).status_code == 405


def test_viewers_may_look_at_reports_and_journeys_but_not_act_on_contacts(client):
    _signed_in(client, "Report viewers")
    assert client.get(REPORTS).status_code == 200
    assert client.get(BUILDER).status_code == 200
    acted = client.post(f"{REPORTS}trial/steps/Welcome/act/", {"action": "exit", "pick": "1"})
    assert acted.status_code == 403
    assert "Report viewers" in acted.content.decode()
