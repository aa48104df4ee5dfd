from __future__ import annotations

import pytest

from channels.delivery.queue import MessageContent
from channels.models import Message


@pytest.fixture
def staff_client(client, django_user_model):
    user = django_user_model.objects.create_superuser("admin", "admin@example.com", "pw")
    client.force_login(user)
    return client


def test_the_message_admin_shows_history_and_is_read_only(staff_client, contact, queue):
    queued = queue(contact, "in_app", MessageContent(body="Hi"))

    listing = staff_client.get("/admin/channels/message/")
    page = staff_client.get(f"/admin/channels/message/{queued.message_id}/change/")
    add = staff_client.get("/admin/channels/message/add/")

    assert listing.status_code == 200
    assert page.status_code == 200
    assert "What happened" in page.content.decode()
    assert "Waiting to be sent" in page.content.decode()
    assert b'name="_save"' not in page.content
    assert add.status_code == 403
    assert Message.objects.count() == 1
