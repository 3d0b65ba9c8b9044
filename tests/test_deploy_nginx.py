"""docs/deploy/nginx/portal.conf with Debian's nginx (/usr/sbin/nginx): `nginx -t` accepts it, and
served on loopback (docs/deploy/check-nginx.sh puts it in a temporary prefix with a throwaway
certificate) in front of two `make serve` instances it passes pages to both, hands the visitor's
address to the app through ProxyFix, lets an application with a resume over 1 MB through and keeps
private-link tokens out of its access log.

This installs nothing: without nginx the tests are skipped with the reason printed; with CI=true that is
a failure (.ci/run installs Debian's nginx).
"""

from __future__ import annotations

import os
import re
import ssl
import subprocess
import time
from types import SimpleNamespace

import pytest
from deploy_support import (
    ROOT,
    Visitor,
    application_fields,
    database_of,
    encode_form,
    production_env,
    resume_pdf,
    seed_program_and_intern,
    serving,
    unavailable,
)
from smtp_support import free_port
from sqlalchemy import select
from test_auth import csrf_token

from portal.models import AuditEvent, OutboxMessage, Resume

NGINX = os.environ.get("PORTAL_NGINX", "/usr/sbin/nginx")
CHECK = ROOT / "docs/deploy/check-nginx.sh"


@pytest.fixture(scope="module")
def nginx():
    if not os.access(NGINX, os.X_OK):
        unavailable(f"the nginx tests need nginx at {NGINX} (apt-get install nginx)")
    return NGINX


def check_nginx(nginx: str, *arguments: str) -> subprocess.CompletedProcess:
    """docs/deploy/check-nginx.sh, as docs/deploy.md runs it."""
    env = {**os.environ, "NGINX": nginx}
    return subprocess.run([str(CHECK), *arguments], env=env, capture_output=True, text=True, timeout=60)  # noqa: S603


def test_nginx_accepts_the_site_file(nginx):
    result = check_nginx(nginx)
    assert result.returncode == 0, result.stderr
    assert "syntax is ok" in result.stderr and "test is successful" in result.stderr


@pytest.fixture(scope="module")
def site(nginx, tmp_path_factory):
    """Two instances on one SQLite database (started one after the other), nginx in front on loopback."""
    folder = tmp_path_factory.mktemp("nginx-site")
    database_url = f"sqlite:///{folder / 'portal.db'}"
    env = production_env(folder, database_url, PROXY_FIX_X_FOR=1, PROXY_FIX_X_PROTO=1)
    with serving([free_port(), free_port()], env, folder) as instances:
        seed_program_and_intern(database_url, folder)
        prefix = folder / "nginx"
        http_port, https_port = free_port(), free_port()
        ports = [str(port) for port in (http_port, https_port, *(instance.port for instance in instances))]
        checked = check_nginx(nginx, str(prefix), *ports)
        assert checked.returncode == 0, checked.stderr
        options = ["-p", str(prefix), "-e", str(prefix / "logs/error.log"), "-c", str(prefix / "nginx.conf")]
        process = subprocess.Popen(  # noqa: S603 (the nginx found above, fixed arguments)
            [nginx, *options, "-g", "daemon off;"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        tls = ssl.create_default_context(cafile=str(prefix / "cert.pem"))
        tls.check_hostname = False  # the certificate names interns.example.org; we connect to 127.0.0.1
        try:
            wait_for_nginx(https_port, tls, process)
            yield SimpleNamespace(
                instances=instances, http_port=http_port, https_port=https_port, tls=tls, prefix=prefix,
                database_url=database_url, folder=folder,
            )  # fmt: skip
        finally:
            process.terminate()
            process.wait(timeout=20)


def wait_for_nginx(port: int, tls: ssl.SSLContext, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"nginx exited: {process.stderr.read().decode()}")
        try:
            Visitor(port, tls).get("/static/favicon.svg")
            return
        except OSError:
            time.sleep(0.2)
    pytest.fail("nginx did not answer")


@pytest.fixture
def portal_db(site):
    with database_of(site.database_url, site.folder) as session:
        yield session



def access_log_once_it_shows(site, text: str, seconds: float = 10) -> str:
    """nginx writes a request's log line after it has sent the response: read the log until the line is
    there (or the time is up, and the assertion shows the log as it is)."""
    log_file = site.prefix / "logs/portal.access.log"
    deadline = time.monotonic() + seconds
    while True:
        log = log_file.read_text()
        if text in log or time.monotonic() > deadline:
            return log
        time.sleep(0.1)


def access_lines(text: str, path: str) -> list[str]:
    return [line for line in text.splitlines() if f"GET {path} " in line]


def test_pages_come_through_both_instances_and_static_files_from_nginx(site):
    visitor = Visitor(site.https_port, site.tls)
    pages = [visitor.get("/programs/fall") for _ in range(4)]
    assert all(page.status == 200 and "Fall Internship" in page.text for page in pages)
    for instance in site.instances:  # nginx takes turns: each instance served some of them
        assert access_lines(instance.output(), "/programs/fall"), instance.output()[-2000:]
    css = visitor.get("/static/css/portal.css")
    assert css.status == 200 and css.headers["X-Content-Type-Options"] == "nosniff"
    assert not any(access_lines(instance.output(), "/static/css/portal.css") for instance in site.instances)


def test_plain_http_is_redirected_to_https(site):
    page = Visitor(site.http_port).get("/programs/fall?x=1")
    assert page.status == 301 and page.headers["Location"] == "https://interns.example.org/programs/fall?x=1"


def test_the_app_sees_the_visitors_address_not_nginx_nor_a_forged_header(site, portal_db):
    visitor = Visitor(site.https_port, site.tls, source_address="127.0.0.7", headers={"X-Forwarded-For": "203.0.113.9"})
    refused = visitor.submit("/auth/sign-in", {"email": "nobody@example.org", "password": "a wrong guess"})
    assert refused.status == 422
    event = portal_db.scalars(select(AuditEvent).where(AuditEvent.action == "auth.sign_in_failed")).one()
    assert event.details["address"] == "127.0.0.7"


def test_the_app_knows_the_visitor_came_over_https(site):
    """X-Forwarded-Proto reaches the app: it checks the Referer of a form sent over HTTPS, as it must."""
    visitor = Visitor(site.https_port, site.tls)
    token = csrf_token(visitor.get("/auth/sign-in").text)
    body, content_type = encode_form({"csrf_token": token, "email": "a@example.org", "password": "x"}, {})
    page = visitor.request("POST", "/auth/sign-in", body, {"Content-Type": content_type})  # no Referer
    assert page.status == 400 and "referrer header is missing" in page.text.lower()
    assert page.headers["Strict-Transport-Security"].startswith("max-age=")


def test_an_application_with_a_resume_over_1_mb_passes_and_its_status_link_is_not_logged(site, portal_db):
    resume = resume_pdf(1_500_000)
    visitor = Visitor(site.https_port, site.tls)
    fields = application_fields("Rosa Parks", "rosa@example.org")
    sent = visitor.submit("/programs/fall/apply", fields, {"resume": ("Rosa Parks CV.pdf", resume)})
    assert sent.status == 302, sent.text[:1000]
    assert sent.headers["Location"].endswith("/programs/fall/apply/submitted")
    stored = portal_db.scalars(select(Resume)).one()
    assert stored.size_bytes == len(resume) > 1024 * 1024

    message = portal_db.scalars(select(OutboxMessage).where(OutboxMessage.recipient == "rosa@example.org")).one()
    path = re.search(r"https://interns\.example\.org(/status/[A-Za-z0-9_-]+)", message.text_body).group(1)
    status = visitor.get(path)
    assert status.status == 200 and "Fall Internship" in status.text
    log = access_log_once_it_shows(site, "GET /status/... ")
    assert path not in log, log
    assert "GET /status/... " in log, log
