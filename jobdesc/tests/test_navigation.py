"""``{% nav_url %}``: the navigation bar's links, the same paths ``{% url %}`` gives."""

from __future__ import annotations

import pytest
from django.template import engines
from django.urls import clear_script_prefix, reverse, set_script_prefix

from positions.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def render(source: str) -> str:
    return engines["django"].from_string(source).render({})


def test_navigation_nav_url_is_the_reversed_path():
    assert render("{% load navigation %}{% nav_url 'positions:position-list' %}") == reverse(
        "positions:position-list"
    )
    assert render("{% load navigation %}{% nav_url 'logout' as out %}[{{ out }}]") == (
        f"[{reverse('logout')}]"
    )


def test_navigation_nav_url_follows_the_script_prefix():
    plain = render("{% load navigation %}{% nav_url 'positions:position-list' %}")
    set_script_prefix("/jobdesc/")
    try:
        prefixed = render("{% load navigation %}{% nav_url 'positions:position-list' %}")
    finally:
        clear_script_prefix()

    assert prefixed == "/jobdesc" + plain


def test_navigation_bar_links_every_page_an_employee_may_open(client):
    client.force_login(UserFactory(username="zhaoliu", first_name="赵六"))

    page = client.get(reverse("positions:position-list")).content.decode()

    for name in (
        "positions:department-tree",
        "positions:org-chart",
        "positions:search",
        "password_change",
        "notifications:preferences",
        "api:token-list",
        "logout",
    ):
        assert f'="{reverse(name)}"' in page
    assert f'href="{reverse("admin:index")}"' not in page
