"""Sign-in throttling (issue 12, point 1): nobody can lock the real user out.

Failed sign-ins are counted per (account, client) and per client: the client that guesses is slowed
down (429, a message saying how long to wait, ``Retry-After``), while the account's owner on another
device signs in with the right password. The counts live in ``RATELIMIT_STORAGE_URI``: a run of two
gunicorn workers against Redis shows they are shared.
"""

from __future__ import annotations

import http.client
import os
import re
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlencode

import pytest
from conftest import make_test_config
from factories import TEST_PASSWORD, UserFactory
from test_auth import field_error, sign_in

from portal import create_app
from portal.extensions import db
from portal.models import AuditEvent, Role, User

pytestmark = pytest.mark.app_config(RATELIMIT_ENABLED=True)

ROOT = Path(__file__).resolve().parent.parent
ATTACKER = "203.0.113.9"
OWNER = "198.51.100.20"


@pytest.fixture
def ada(app):
    return UserFactory(email="ada@example.org", full_name="Ada Lovelace")


def fail(client, email: str, address: str, times: int) -> list[int]:
    return [sign_in(client, email, "wrong guess", address=address).status_code for _ in range(times)]


# --- the real user is never locked out -------------------------------------------------------------


def test_failures_from_many_clients_do_not_lock_the_account(client, ada):
    """Six (or sixty) wrong passwords from elsewhere: the owner's right password still gets in."""
    statuses = [sign_in(client, ada.email, "wrong guess", address=f"10.9.0.{i}").status_code for i in range(12)]
    assert statuses == [422] * 12
    response = sign_in(client, ada.email, address=OWNER)
    assert response.status_code == 302


def test_the_guessing_client_is_slowed_down_and_the_owner_is_not(client, ada):
    assert fail(client, ada.email, ATTACKER, 5) == [422] * 5
    slowed = sign_in(client, ada.email, address=ATTACKER)  # even the right password waits here
    assert slowed.status_code == 429
    assert sign_in(client, ada.email, address=OWNER).status_code == 302


def test_a_slowed_down_client_gets_the_form_back_with_how_long_to_wait(client, ada):
    fail(client, ada.email, ATTACKER, 5)
    response = sign_in(client, "Ada@Example.org", address=ATTACKER)
    html = response.get_data(as_text=True)
    assert response.status_code == 429
    assert 0 < int(response.headers["Retry-After"]) <= 15 * 60
    assert re.search(r"Wait (a minute|\d+ minutes), then try again, or reset your password", html)
    assert 'value="Ada@Example.org"' in html  # what was typed is kept…
    assert TEST_PASSWORD not in html  # …never the password
    assert '<label for="password">Password' in html and 'href="/auth/reset"' in html
    assert response.headers["Cache-Control"] == "no-store"
    assert field_error(html, "email") == ""


def test_a_slowed_down_attempt_is_not_checked_or_audited(client, ada):
    fail(client, ada.email, ATTACKER, 5)
    before = db.session.query(AuditEvent).count()
    assert sign_in(client, ada.email, address=ATTACKER).status_code == 429
    assert db.session.query(AuditEvent).count() == before


def test_each_client_also_has_a_limit_across_accounts(client, ada):
    statuses = [sign_in(client, f"guess{i}@example.org", "wrong", address=ATTACKER).status_code for i in range(11)]
    assert statuses == [422] * 10 + [429]
    assert sign_in(client, ada.email, address=ATTACKER).status_code == 429
    assert sign_in(client, ada.email, address=OWNER).status_code == 302


def test_a_successful_sign_in_from_the_owner_does_not_reset_the_attackers_count(client, ada):
    fail(client, ada.email, ATTACKER, 4)
    assert sign_in(client, ada.email, address=OWNER).status_code == 302
    assert fail(client, ada.email, ATTACKER, 2) == [422, 429]


@pytest.mark.app_config(RATELIMIT_ENABLED=True, MFA_REQUIRED_FOR_STAFF=True)
def test_with_mfa_the_owner_signs_in_with_password_and_code_while_the_attacker_waits(app, client, admin):
    from test_security_mfa import enrol, next_code

    secret, _ = enrol(app.test_client(), admin)
    assert fail(client, admin.email, ATTACKER, 5) == [422] * 5
    assert sign_in(client, admin.email, address=ATTACKER).status_code == 429
    owner = app.test_client()
    owner.environ_base["REMOTE_ADDR"] = OWNER
    password = sign_in(owner, admin.email)
    assert password.status_code == 302 and password.headers["Location"].endswith("/auth/two-step")
    code = owner.post("/auth/two-step", data={"code": next_code(secret)})
    assert code.status_code == 302
    assert owner.get("/auth/account").status_code == 200


# --- counts are shared between workers (Redis) -------------------------------------------------------


def redis_reachable(host: str = "127.0.0.1", port: int = 6379) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1) as connection:
            connection.sendall(b"PING\r\n")
            return connection.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@pytest.fixture
def redis_url() -> str:
    if not redis_reachable():
        reason = "no Redis on 127.0.0.1:6379: the two-worker rate-limit test did not run"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        print(reason)
        pytest.skip(reason)
    return "redis://127.0.0.1:6379/0"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def post_sign_in(port: int, email: str, password: str) -> int:
    """One attempt on a new connection (so either worker may take it); the status code."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    body = urlencode({"email": email, "password": password})
    connection.request("POST", "/auth/sign-in", body, {"Content-Type": "application/x-www-form-urlencoded"})
    status = connection.getresponse().status
    connection.close()
    return status


@pytest.fixture
def gunicorn_two_workers(tmp_path, redis_url):
    """gunicorn -w 2 on a free port, rate limits in Redis under a prefix of this run; its access log names the pid."""
    database_url = f"sqlite:///{tmp_path / 'portal.db'}"
    setup = create_app(make_test_config(database_url, tmp_path))
    with setup.app_context():
        db.create_all()
        user = User(email="ada@example.org", full_name="Ada Lovelace", role=Role.SUPERVISOR)
        user.set_password(TEST_PASSWORD)
        db.session.add(user)
        db.session.commit()
        db.engine.dispose()
    prefix = f"portal-test-{uuid.uuid4().hex[:12]}"
    port = free_port()
    access_log = tmp_path / "access.log"
    env = {
        **os.environ,
        "PORTAL_INSTANCE_PATH": str(tmp_path),
        "PORTAL_DATABASE_URL": database_url,
        "PORTAL_SECRET_KEY": "test-secret-key-that-is-long-enough-123",
        "PORTAL_UPLOAD_FOLDER": str(tmp_path / "uploads"),
        "PORTAL_RATELIMIT_STORAGE_URI": redis_url,
        "PORTAL_RATELIMIT_KEY_PREFIX": prefix,
        "PORTAL_WTF_CSRF_ENABLED": "false",
    }
    gunicorn = Path(sys.executable).with_name("gunicorn")
    process = subprocess.Popen(  # noqa: S603 (our own gunicorn, fixed arguments)
        [str(gunicorn), "-w", "2", "-b", f"127.0.0.1:{port}", "--access-logfile", str(access_log),
         "--access-logformat", "%(p)s %(m)s %(s)s", "wsgi:app"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                connection.request("GET", "/auth/sign-in")
                if connection.getresponse().status == 200:
                    break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"gunicorn did not start: {process.stderr.read().decode()[-2000:]}")
            time.sleep(0.2)
        yield port, access_log, prefix
    finally:
        process.terminate()
        process.wait(timeout=10)
        import redis

        client = redis.Redis.from_url(redis_url)
        for key in client.scan_iter(match=f"*{prefix}*"):
            client.delete(key)


def posts_by_pid(access_log: Path) -> list[str]:
    return [line.split()[0] for line in access_log.read_text().splitlines() if " POST " in line]


def test_two_workers_share_the_failure_counts_through_redis(gunicorn_two_workers):
    port, access_log, prefix = gunicorn_two_workers
    # Two rounds at most: the client's own limit (10 failures) ends a third. Each round's five failures
    # trip the limit on the sixth attempt, whichever worker counted them.
    for round_number, email in enumerate(("ada@example.org", "nobody@example.org")):
        seen = len(posts_by_pid(access_log))
        statuses = [post_sign_in(port, email, "wrong guess") for _ in range(6)]
        assert statuses == [422] * 5 + [429], f"round {round_number + 1}"
        time.sleep(0.2)  # let the access log catch up
        if len(set(posts_by_pid(access_log)[seen:])) > 1:
            break
    else:
        pytest.fail("every attempt went to one worker twice in a row; the sharing was not shown")
    assert len(set(posts_by_pid(access_log))) == 2  # both workers answered and agreed on the count
    import redis

    assert any(redis.Redis.from_url("redis://127.0.0.1:6379/0").scan_iter(match=f"*{prefix}*"))
