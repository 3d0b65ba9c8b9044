"""Two app instances (two `make serve`, so two gunicorn masters) on one PostgreSQL and one Redis, as
docs/deploy.md sets them up behind nginx: a visitor may reach either on any request.

Needs TEST_DATABASE_URL (a database of its own is created from it) and Redis on 127.0.0.1:6379 (keys
under a prefix of this run); without them the tests are skipped with the reason printed, and with
CI=true that is a failure.
"""

from __future__ import annotations

import importlib.util
import os
import signal
import subprocess
import sys
import time
import uuid
from types import SimpleNamespace

import pytest
from conftest import TEST_DATABASE_URL, create_postgres_database, drop_postgres_database, make_test_config
from deploy_support import (
    ROOT,
    Visitor,
    application_fields,
    database_of,
    production_env,
    resume_pdf,
    seed_program_and_intern,
    serving,
    unavailable,
)
from factories import TEST_PASSWORD
from smtp_support import free_port, running_smtp_server
from sqlalchemy import func, select, text
from test_security_sign_in import redis_reachable

from portal import create_app
from portal.extensions import db
from portal.models import Application, OutboxMessage

REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture(scope="module")
def postgres_url():
    if not TEST_DATABASE_URL:
        unavailable("the two-instance tests need TEST_DATABASE_URL (PostgreSQL)")
    url = create_postgres_database("portal_instances")
    yield url
    drop_postgres_database(url)


@pytest.fixture(scope="module")
def redis_prefix():
    if not redis_reachable():
        unavailable("the two-instance tests need Redis on 127.0.0.1:6379")
    prefix = f"portal-instances-{uuid.uuid4().hex[:12]}"
    yield prefix
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(match=f"*{prefix}*"):
        client.delete(key)


@pytest.fixture(scope="module")
def deployment(postgres_url, redis_prefix, tmp_path_factory):
    """Two instances started at the same moment on an empty database: both run the migrations at once."""
    folder = tmp_path_factory.mktemp("two-instances")
    env = production_env(folder, postgres_url, RATELIMIT_STORAGE_URI=REDIS_URL, RATELIMIT_KEY_PREFIX=redis_prefix)
    with serving([free_port(), free_port()], env, folder, together=True) as instances:
        seed_program_and_intern(postgres_url, folder)
        yield SimpleNamespace(instances=instances, env=env, url=postgres_url, folder=folder)


@pytest.fixture
def portal_db(deployment):
    """The deployment's database, read from the test."""
    with database_of(deployment.url, deployment.folder) as session:
        yield session



def test_both_instances_migrated_the_empty_database_at_once_and_serve(deployment, portal_db):
    for instance in deployment.instances:
        assert instance.process.poll() is None
        assert "Database is at the latest schema." in instance.output()
    heads = portal_db.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    assert len(heads) == 1
    first, second = (Visitor(instance.port) for instance in deployment.instances)
    assert "Fall Internship" in first.get("/programs/fall").text
    assert "Fall Internship" in second.get("/programs/fall").text


def test_sign_in_failures_on_one_instance_count_on_the_other(deployment):
    first, second = (instance.port for instance in deployment.instances)
    visitor = Visitor(first)
    statuses = []
    for number in range(6):  # alternately: three failures counted by each instance alone would never reach 5
        port = first if number % 2 == 0 else second
        attempt = visitor.at(port).submit("/auth/sign-in", {"email": "ada@example.org", "password": "wrong"})
        statuses.append(attempt.status)
    assert statuses == [422] * 5 + [429]


def test_a_session_started_on_one_instance_is_valid_on_the_other(deployment):
    first, second = (instance.port for instance in deployment.instances)
    visitor = Visitor(first)
    signed_in = visitor.submit("/auth/sign-in", {"email": "ana@example.org", "password": TEST_PASSWORD})
    assert signed_in.status == 302, signed_in.text[:500]
    assert "__Host-session" in visitor.cookies
    account = visitor.at(second).get("/auth/account")
    assert account.status == 200 and "ana@example.org" in account.text
    assert Visitor(second).get("/auth/account").status == 302  # without the cookie: the sign-in page


def test_an_application_through_each_instance_and_the_outbox_delivers_each_message_once(deployment, portal_db):
    for number, instance in enumerate(deployment.instances, start=1):
        fields = application_fields(f"Applicant {number}", f"applicant{number}@example.org")
        sent = Visitor(instance.port).submit("/programs/fall/apply", fields, {"resume": ("cv.pdf", resume_pdf())})
        assert sent.status == 302, instance.output()[-3000:]
        assert sent.headers["Location"].endswith("/programs/fall/apply/submitted")
    emails = set(portal_db.scalars(select(Application.email)))
    assert {"applicant1@example.org", "applicant2@example.org"} <= emails
    queued = portal_db.scalar(select(func.count()).select_from(OutboxMessage))
    assert queued >= 2

    # One sender per instance, as docs/deploy.md runs them (portal-outbox.service on each machine).
    with running_smtp_server() as smtp:
        env = {**deployment.env, "PORTAL_MAIL_SERVER": "127.0.0.1", "PORTAL_MAIL_PORT": str(smtp.port)}
        command = [str(ROOT / ".venv/bin/flask"), "--app", "wsgi", "outbox", "send", "--loop", "--interval", "0.2"]
        senders = [
            subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)  # noqa: S603
            for _ in range(2)
        ]
        try:
            deadline = time.monotonic() + 60
            while len(smtp.inbox.messages) < queued and time.monotonic() < deadline:
                time.sleep(0.1)
            time.sleep(1)  # time for a second delivery of anything, if the senders were to send one twice
        finally:
            for sender in senders:
                sender.send_signal(signal.SIGTERM)  # systemd's stop
            outputs = [sender.communicate(timeout=30)[0] for sender in senders]
        recipients = smtp.inbox.recipients()

    assert sorted(recipients) == sorted(set(recipients)) and len(recipients) == queued, recipients
    assert {"applicant1@example.org", "applicant2@example.org"} <= set(recipients)
    for sender, output in zip(senders, outputs, strict=True):
        assert sender.returncode == 0 and "Stopped." in output and "Traceback" not in output, output


def test_each_gunicorn_worker_gets_its_own_database_connection(postgres_url, tmp_path):
    """preload_app builds the app (and may connect) in the master; post_fork must leave the worker none
    of the master's connections, or two processes would talk over one."""
    spec = importlib.util.spec_from_file_location("gunicorn_settings", ROOT / "gunicorn.conf.py")
    settings = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(settings)
    assert settings.preload_app is True
    app = create_app(make_test_config(postgres_url, tmp_path))
    backend_pid = text("SELECT pg_backend_pid()")
    with app.app_context():
        master = db.session.scalar(backend_pid)
        db.session.remove()  # the connection goes back to the pool, where a forked worker would find it
        reading, writing = os.pipe()
        child = os.fork()
        if child == 0:  # the worker
            try:
                settings.post_fork(None, SimpleNamespace(app=SimpleNamespace(wsgi=lambda: app)))
                with app.app_context():
                    os.write(writing, str(db.session.scalar(backend_pid)).encode())
            finally:
                os._exit(0)
        os.close(writing)
        worker = int(os.read(reading, 64) or 0)
        os.close(reading)
        os.waitpid(child, 0)
        assert worker and worker != master
        assert db.session.scalar(backend_pid) == master  # the master's own connection still works
        db.session.remove()
        db.engine.dispose()


@pytest.mark.skipif(sys.platform != "linux", reason="make serve is tested on Linux")
def test_make_serve_names_the_settings_production_needs(tmp_path):
    env = {name: value for name, value in os.environ.items() if not name.startswith(("PORTAL_", "FLASK_"))}
    env["PORTAL_INSTANCE_PATH"] = str(tmp_path)
    result = subprocess.run(  # noqa: S603
        ["make", "--no-print-directory", "serve", f"PORT={free_port()}"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode != 0
    assert "PORTAL_SECRET_KEY is a development value" in result.stderr
    for name in ("PORTAL_SECRET_KEY", "PORTAL_SELF_ID_KEY", "PORTAL_PUBLIC_URL", "PORTAL_DATABASE_URL"):
        assert name in result.stderr
