"""The 403 and 404 pages keep the navigation and explain what happened."""

import pytest
from django.urls import reverse

from plans.choices import UserRole
from plans.models import Organisation, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def osm():
    return User.objects.create_user("osm", password="demo", role=UserRole.OSM, is_staff=True)


def test_forbidden_page_names_reason_and_keeps_nav(client, osm):
    client.force_login(osm)

    response = client.get(reverse("plans:plan_create"))

    assert response.status_code == 403
    body = response.content.decode()
    assert 'data-testid="forbidden"' in body
    assert "Nothing was changed." in body
    assert 'data-testid="signed-in-as"' in body


def test_not_found_page_keeps_nav(client, settings):
    settings.DEBUG = False
    organisation = Organisation.objects.create(name="Northwind Energy Ltd", participant_id="NWEL")
    user = User.objects.create_user(
        "participant", password="demo", role=UserRole.PARTICIPANT, organisation=organisation
    )
    client.force_login(user)

    response = client.get(reverse("plans:plan_detail", args=[999999]))

    assert response.status_code == 404
    body = response.content.decode()
    assert 'data-testid="not-found"' in body
    assert 'data-testid="signed-in-as"' in body
