"""The staff groups made by migration: editors edit and publish, report viewers only read."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, User

pytestmark = pytest.mark.django_db


def _member(group_name: str) -> User:
    user = User.objects.create_user(group_name.split()[0].lower(), is_staff=True)
    user.groups.add(Group.objects.get(name=group_name))
    return User.objects.get(pk=user.pk)  # fresh: permissions are cached per instance


def test_journey_editors_edit_publish_and_read_reports():
    editor = _member("Journey editors")
    assert editor.has_perm("journeys.change_journey")
    assert editor.has_perm("journeys.add_journey")
    assert editor.has_perm("journeys.publish_journey")
    assert editor.has_perm("journeys.view_reports")
    assert editor.has_perm("channels.view_message")
    assert not editor.has_perm("journeys.delete_journey")
    assert not editor.has_perm("journeys.change_source")


def test_report_viewers_read_but_change_nothing():
    viewer = _member("Report viewers")
    assert viewer.has_perm("journeys.view_reports")
    assert viewer.has_perm("journeys.view_journey")
    assert viewer.has_perm("journeys.view_contact")
    assert not viewer.has_perm("journeys.change_journey")
    assert not viewer.has_perm("journeys.add_journey")
    assert not viewer.has_perm("journeys.publish_journey")
    assert not any(
        perm.split(".")[1].startswith(("add_", "change_", "delete_"))
        for perm in viewer.get_all_permissions()
    )
