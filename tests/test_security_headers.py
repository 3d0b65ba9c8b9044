"""Hosts, proxies and headers (issue 12, point 5): what a browser, a proxy or an attacker sees in the answer."""

from __future__ import annotations

import pytest
from factories import ApplicationFactory
from session_support import sign_in

PRODUCTION = {
    "ENV": "production",
    "SECRET_KEY": "k7Qz-2vN_p9LxW4rT8mYc1Hb6JdF3sGa0eUo5iRn",
    "SELF_ID_KEY": "q0a4sYdNe8yJ3n2x1lqfVtq0G3v2b0mV3T3e8xJq6QY=",
    "PUBLIC_URL": "https://interns.example.org",
    "MFA_REQUIRED_FOR_STAFF": False,
}
production = pytest.mark.app_config(**PRODUCTION)
SITE = "https://interns.example.org"


def ask_for_link(client, address: str):
    """The lost-link form (rate limited per client address), sent through a proxy that says who asked."""
    return client.post(
        "/status/lost-link", data={"email": "ana@example.org"}, headers={"X-Forwarded-For": address}
    )


# --- the Host header ----------------------------------------------------------------------------------


@production
def test_in_production_another_host_name_gets_400_and_no_page_of_the_site(client, program):
    response = client.get("/", headers={"Host": "evil.example"})
    assert response.status_code == 400
    assert "does not answer to that host name" in response.get_data(as_text=True)
    assert program.title not in response.get_data(as_text=True)
    assert client.get("/", base_url=SITE).status_code == 200  # PUBLIC_URL's host is the one answered


@pytest.mark.app_config(**PRODUCTION, TRUSTED_HOSTS="interns.example.org, .example.net")
def test_trusted_hosts_can_be_listed_with_subdomains(client):
    assert client.get("/", base_url=SITE).status_code == 200
    assert client.get("/", base_url="https://apply.example.net").status_code == 200
    assert client.get("/", headers={"Host": "example.org.evil.example"}).status_code == 400


@pytest.mark.parametrize("app", [{"ENV": "development"}, {"ENV": "testing"}], indirect=True)
def test_outside_production_any_host_is_answered(app, client):
    assert client.get("/", headers={"Host": "laptop.local:5000"}).status_code == 200


# --- behind a proxy ------------------------------------------------------------------------------------


@pytest.mark.app_config(RATELIMIT_ENABLED=True, PROXY_FIX_X_FOR=1)
def test_behind_one_proxy_each_visitor_has_their_own_rate_limit(client, app):
    ApplicationFactory(email="ana@example.org")
    statuses = [ask_for_link(client, "203.0.113.7").status_code for _ in range(6)]
    assert statuses[:5] == [302] * 5 and statuses[5] == 429
    assert ask_for_link(client, "198.51.100.23").status_code == 302  # someone else behind the same nginx


@pytest.mark.app_config(RATELIMIT_ENABLED=True, PROXY_FIX_X_FOR=1)
def test_behind_one_proxy_a_visitor_cannot_claim_another_address(client, app):
    """nginx appends the real address; only the last one is believed, so a forged first one changes nothing."""
    ApplicationFactory(email="ana@example.org")
    for _ in range(5):
        ask_for_link(client, "203.0.113.7")
    assert ask_for_link(client, "198.51.100.23, 203.0.113.7").status_code == 429


@pytest.mark.app_config(RATELIMIT_ENABLED=True)
def test_without_a_proxy_forwarded_headers_are_ignored(client, app):
    ApplicationFactory(email="ana@example.org")
    for number in range(5):
        ask_for_link(client, f"203.0.113.{number}")
    assert ask_for_link(client, "198.51.100.23").status_code == 429  # the header does not evade the limit


# --- headers on every answer ----------------------------------------------------------------------------


@production
def test_production_answers_ask_browsers_to_use_https_for_a_year(client):
    for path in ("/", "/auth/sign-in", "/no-such-page"):
        assert client.get(path, base_url=SITE).headers["Strict-Transport-Security"] == (
            "max-age=31536000; includeSubDomains"
        )


def test_development_and_tests_send_no_hsts(client):
    assert "Strict-Transport-Security" not in client.get("/").headers


@pytest.mark.parametrize("path", ["/", "/auth/sign-in", "/no-such-page"])
def test_the_content_security_policy_forbids_plugins_and_a_foreign_base(client, path):
    policy = client.get(path).headers["Content-Security-Policy"]
    directives = {part.strip() for part in policy.split(";")}
    assert {"object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'", "default-src 'self'"} <= directives


# --- nothing private in a cache ---------------------------------------------------------------------------


def test_every_page_while_signed_in_is_never_cached(client, intern, placement, admin):
    sign_in(client, intern)
    for path in ("/hours/", "/auth/account", "/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers["Cache-Control"] == "no-store", path
    sign_in(client, admin)
    for path in ("/admin/programs", "/admin/concerns"):
        response = client.get(path)
        assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store", path


def test_pages_addressed_by_a_private_token_are_never_cached(client, program, db_session):
    token = ApplicationFactory(program=program).issue_status_token()
    db_session.commit()
    assert client.get(f"/status/{token}").status_code == 200
    for path in (f"/status/{token}", "/auth/reset/not-a-real-token", "/auth/invitation/not-a-real-token"):
        assert client.get(path).headers["Cache-Control"] == "no-store", path  # a wrong token's 404 too


def test_public_pages_and_files_for_visitors_stay_cacheable(client, intern, program):
    assert "no-store" not in client.get("/").headers.get("Cache-Control", "")
    assert "no-store" not in client.get(f"/programs/{program.slug}").headers.get("Cache-Control", "")
    sign_in(client, intern)
    assert "no-store" not in client.get("/static/favicon.svg").headers.get("Cache-Control", "")
