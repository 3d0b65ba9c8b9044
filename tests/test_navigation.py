"""The main navigation, as each kind of visitor sees it: which links, in which order, and which is current."""

from __future__ import annotations

import re

import pytest
from factories import AdminFactory, InternFactory, UserFactory
from session_support import sign_in

from portal.models import Role
from portal.navigation import NAVIGATION

ANONYMOUS = ["Open internships", "Sign in"]
INTERN = ["Open internships", "Your hours", "Your account", "Sign out"]
SUPERVISOR = ["Open internships", "Review", "Approvals", "Interns", "Reports", "Your account", "Sign out"]
ADMIN = [
    "Open internships", "Review", "Approvals", "Interns", "Reports", "Programs", "People", "Concerns",
    "Audit log", "Data requests", "Outbox", "Your account", "Sign out",
]
FACTORIES = {"intern": InternFactory, "supervisor": UserFactory, "admin": AdminFactory}


def nav_of(html: str) -> str:
    return re.search(r'<nav class="site-nav" aria-label="Main">(.*?)</nav>', html, re.S).group(1)


def nav_labels(html: str) -> list[str]:
    """The nav's links and buttons, in the order a screen reader reads them."""
    return [label.strip() for label in re.findall(r"<(?:a|button)\b[^>]*>(.*?)</(?:a|button)>", nav_of(html), re.S)]


def nav_links(html: str) -> list[tuple[str, str, bool]]:
    """(label, href, is the current page) for each link of the nav."""
    return [
        (label.strip(), href, "aria-current" in rest)
        for href, rest, label in re.findall(r'<a href="([^"]*)"([^>]*)>(.*?)</a>', nav_of(html), re.S)
    ]


def visitor(client, role: str):
    if role != "anonymous":
        user = FACTORIES[role]()
        assert user.role == Role(role)
        sign_in(client, user)
    return client


@pytest.mark.parametrize(
    "role, expected",
    [("anonymous", ANONYMOUS), ("intern", INTERN), ("supervisor", SUPERVISOR), ("admin", ADMIN)],
)
def test_each_role_sees_its_links_in_order(client, role, expected):
    html = visitor(client, role).get("/").get_data(as_text=True)
    assert nav_labels(html) == expected
    assert [(label, current) for label, _, current in nav_links(html)][0] == ("Open internships", True)


@pytest.mark.parametrize("role", ["anonymous", "intern", "supervisor", "admin"])
def test_every_link_opens_for_that_role_and_marks_itself_current(client, role):
    links = nav_links(visitor(client, role).get("/").get_data(as_text=True))
    for label, href, _ in links:
        response = client.get(href)
        assert response.status_code == 200, (role, label, href, response.status_code)
        current = [name for name, _, is_current in nav_links(response.get_data(as_text=True)) if is_current]
        assert current == [label], (role, href)


def test_signing_out_is_a_form_button_with_a_csrf_token(client):
    html = visitor(client, "intern").get("/auth/account").get_data(as_text=True)
    form = re.search(r'<form class="nav-form" method="post" action="/auth/sign-out">(.*?)</form>', nav_of(html), re.S)
    assert form and 'name="csrf_token"' in form.group(1) and "Sign out</button>" in form.group(1)


@pytest.mark.app_config(ENV="development")
def test_admins_also_see_sent_mail_in_development(client):
    html = visitor(client, "admin").get("/admin/mail").get_data(as_text=True)
    after = ADMIN.index("Outbox") + 1
    expected = ADMIN[:after] + ["Sent mail"] + ADMIN[after:]
    assert nav_labels(html) == expected
    assert ("Sent mail", "/admin/mail", True) in nav_links(html)


@pytest.mark.app_config(ENV="development")
@pytest.mark.parametrize("role, expected", [("supervisor", SUPERVISOR), ("anonymous", ANONYMOUS)])
def test_only_admins_see_sent_mail_in_development(client, role, expected):
    assert nav_labels(visitor(client, role).get("/").get_data(as_text=True)) == expected


def test_every_row_of_the_table_names_a_route_of_the_app(app):
    assert {link.endpoint for link in NAVIGATION} <= set(app.view_functions)
