"""The navigation bar shows the review queue only to roles that have one."""

import pytest
from django.urls import reverse

from tests.plans.lifecycle_support import *  # noqa: F403 - the clock and users fixtures

pytestmark = pytest.mark.django_db

QUEUE_LINK = 'data-testid="nav-review-queue"'


def nav_of(client, user):
    client.force_login(user)
    response = client.get(reverse("plans:plan_list"))
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("username", ["mhhsp", "elexon", "reccm", "dip", "qsp", "admin"])
def test_review_queue_link_for_reviewers(client, users, username):
    content = nav_of(client, users[username])

    assert QUEUE_LINK in content
    assert f'href="{reverse("admin:plans_planforreview_changelist")}"' in content


@pytest.mark.parametrize("username", ["participant", "pab", "osm", "recpab"])
def test_review_queue_link_hidden_from_other_roles(client, users, username):
    content = nav_of(client, users[username])

    assert QUEUE_LINK not in content
    assert "Review queue" not in content


@pytest.mark.parametrize(
    ("username", "testid"),
    [
        ("pab", "nav-pab"),
        ("pab", "nav-escalations"),
        ("osm", "nav-report-queue"),
        ("reccm", "nav-report-queue"),
        ("participant", "nav-reports"),
    ],
)
def test_other_links_kept(client, users, username, testid):
    assert f'data-testid="{testid}"' in nav_of(client, users[username])


def test_rec_pab_member_sees_escalations_not_pab_approvals(client, users):
    content = nav_of(client, users["recpab"])

    assert 'data-testid="nav-escalations"' in content
    assert 'data-testid="nav-pab"' not in content
    assert "PAB approvals" not in content


@pytest.mark.parametrize("username", ["participant", "elexon", "qsp", "osm", "recpab", "admin"])
def test_pab_approvals_link_only_for_bsc_pab(client, users, username):
    assert 'data-testid="nav-pab"' not in nav_of(client, users[username])
