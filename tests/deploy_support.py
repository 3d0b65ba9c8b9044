"""Deployment tests' helpers: app instances started with `make serve` as production runs them, and a
visitor that keeps cookies and fills CSRF tokens the way a browser does.

    with serving(port, production_env(folder, database_url)) as instance:
        visitor = Visitor(port)
        visitor.submit("/auth/sign-in", {"email": …, "password": …})

An instance runs in production mode (real secrets, CSRF, the ``__Host-session`` cookie, Host checked
against ``PUBLIC_URL``) with one worker; its stdout, the access log included, goes to ``instance.log``.
"""

from __future__ import annotations

import http.client
import io
import os
import secrets
import signal
import ssl
import subprocess
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from documents import pdf_document
from test_auth import csrf_token

ROOT = Path(__file__).resolve().parent.parent
HOST = "interns.example.org"
PUBLIC_URL = f"https://{HOST}"
#: One pair of production secrets per test run, shared by every instance (as a deployment must).
SECRET_KEY = secrets.token_urlsafe(48)
SELF_ID_KEY = Fernet.generate_key().decode()
START_SECONDS = 90


def unavailable(reason: str) -> None:
    """Skip with the reason printed; under CI=true fail instead, so CI never passes without the check."""
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"CI=true and {reason}", pytrace=False)
    print(f"skipped: {reason}")
    pytest.skip(reason)


def production_env(folder: Path, database_url: str, **settings: object) -> dict[str, str]:
    """The environment of one instance: production, this run's secrets, the shared database and uploads;
    ``settings`` become ``PORTAL_<NAME>`` variables."""
    env = {name: value for name, value in os.environ.items() if not name.startswith(("PORTAL_", "FLASK_"))}
    env.update(
        {
            "PORTAL_ENV": "production",
            "PORTAL_SECRET_KEY": SECRET_KEY,
            "PORTAL_SELF_ID_KEY": SELF_ID_KEY,
            "PORTAL_PUBLIC_URL": PUBLIC_URL,
            "PORTAL_DATABASE_URL": database_url,
            "PORTAL_INSTANCE_PATH": str(folder),
            "PORTAL_UPLOAD_FOLDER": str(folder / "uploads"),
            "WEB_CONCURRENCY": "1",
        }
    )
    env.update({f"PORTAL_{name}": str(value) for name, value in settings.items()})
    return env


@dataclass
class Instance:
    port: int
    process: subprocess.Popen
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def start_instance(port: int, env: dict[str, str], log: Path) -> Instance:
    """`make serve` on 127.0.0.1:``port`` in its own process group (make, then gunicorn)."""
    with log.open("w") as output:
        process = subprocess.Popen(  # noqa: S603 (make with fixed arguments)
            ["make", "--no-print-directory", "serve", f"PORT={port}"],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return Instance(port, process, log)


def wait_until_serving(instance: Instance) -> None:
    """Return once the instance answers its sign-in page; fail with its output if it exits or is slow."""
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if instance.process.poll() is not None:
            pytest.fail(f"make serve on {instance.port} exited:\n{instance.output()[-3000:]}")
        try:
            if Visitor(instance.port).get("/auth/sign-in").status == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    pytest.fail(f"make serve on {instance.port} did not answer in {START_SECONDS} s:\n{instance.output()[-3000:]}")


def stop_instance(instance: Instance) -> None:
    """SIGTERM to the group, as systemd stops a unit: gunicorn finishes its requests and exits."""
    if instance.process.poll() is None:
        os.killpg(instance.process.pid, signal.SIGTERM)
    try:
        instance.process.wait(timeout=40)
    except subprocess.TimeoutExpired:
        os.killpg(instance.process.pid, signal.SIGKILL)
        instance.process.wait()


@contextmanager
def serving(ports: list[int], env: dict[str, str], folder: Path, *, together: bool = False) -> Iterator[list[Instance]]:
    """`make serve` on each port; ``together``: all started at the same moment (their migrations race)."""
    instances: list[Instance] = []
    try:
        for port in ports:
            instances.append(start_instance(port, env, folder / f"serve-{port}.log"))
            if not together:
                wait_until_serving(instances[-1])
        for instance in instances:
            wait_until_serving(instance)
        yield instances
    finally:
        for instance in instances:
            stop_instance(instance)


# --- a visitor -------------------------------------------------------------------------------------


@dataclass
class Page:
    status: int
    headers: http.client.HTTPMessage
    text: str


@dataclass
class Visitor:
    """Requests to one port with the site's Host, keeping cookies (the Secure ones too, over plain http
    to an instance) and sending each form with the CSRF token of the page it came from."""

    port: int
    tls: ssl.SSLContext | None = None
    source_address: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    cookies: dict[str, str] = field(default_factory=dict)

    def at(self, port: int) -> Visitor:
        """The same visitor (same cookies) talking to another port."""
        return Visitor(port, self.tls, self.source_address, self.headers, self.cookies)

    def request(self, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None) -> Page:
        source = (self.source_address, 0) if self.source_address else None
        if self.tls is not None:
            connection = http.client.HTTPSConnection(
                "127.0.0.1", self.port, timeout=30, context=self.tls, source_address=source
            )
        else:
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30, source_address=source)
        sent = {"Host": HOST, **self.headers, **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        try:
            connection.request(method, path, body or None, sent)
            response = connection.getresponse()
            data = response.read()
        finally:
            connection.close()
        for cookie in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = cookie.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return Page(response.status, response.headers, data.decode("utf-8", "replace"))

    def get(self, path: str) -> Page:
        return self.request("GET", path)

    def submit(self, path: str, fields: dict[str, object], files: dict[str, tuple[str, bytes]] | None = None) -> Page:
        """Open the form's page, then post ``fields`` (and ``files``) with its CSRF token, from that page."""
        page = self.get(path)
        assert page.status == 200, (path, page.status, page.text[:500])
        body, content_type = encode_form({"csrf_token": csrf_token(page.text), **fields}, files or {})
        scheme = "https" if self.tls is not None else "http"
        headers = {"Content-Type": content_type, "Referer": f"{scheme}://{HOST}{path}"}
        return self.request("POST", path, body, headers)


def encode_form(fields: dict[str, object], files: dict[str, tuple[str, bytes]]) -> tuple[bytes, str]:
    """multipart/form-data as a browser sends it (a list value repeats the field)."""
    boundary = uuid.uuid4().hex
    out = io.BytesIO()
    for name, value in fields.items():
        for item in value if isinstance(value, list) else [value]:
            out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{item}\r\n'.encode())
    for name, (filename, data) in files.items():
        out.write(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            "Content-Type: application/pdf\r\n\r\n".encode()
        )
        out.write(data + b"\r\n")
    out.write(f"--{boundary}--\r\n".encode())
    return out.getvalue(), f"multipart/form-data; boundary={boundary}"


# --- what the tests submit -------------------------------------------------------------------------


def resume_pdf(size: int = 0) -> bytes:
    """A valid one-page PDF, padded with an unused stream to about ``size`` bytes."""
    if not size:
        return pdf_document()
    padding = b"0" * size
    return pdf_document(b"<</Length %d>>stream\n" % len(padding) + padding + b"\nendstream")


def application_fields(name: str, email: str) -> dict[str, object]:
    """The application form as tests/test_public_applications.py fills it (answers to questions the program
    does not ask are ignored), without the resume, under a name and address of the test's own."""
    from test_public_applications import form_data

    fields = form_data(full_name=name, preferred_name="", email=email, submission_key=uuid.uuid4().hex)
    return {key: value for key, value in fields.items() if key != "resume"}


@contextmanager
def database_of(database_url: str, folder: Path) -> Iterator[object]:
    """The deployment's database session, for a test to read what the instances wrote."""
    from conftest import make_test_config

    from portal import create_app
    from portal.extensions import db

    reader = create_app(make_test_config(database_url, folder))
    with reader.app_context():
        yield db.session
        db.session.remove()
        db.engine.dispose()


def seed_program_and_intern(database_url: str, folder: Path) -> None:
    """A published program ``fall`` open for applications, and an intern who can sign in."""
    from conftest import make_test_config
    from factories import InternFactory, ProgramFactory

    from portal import create_app
    from portal.extensions import db

    setup = create_app(make_test_config(database_url, folder))
    with setup.app_context():
        ProgramFactory(slug="fall", title="Fall Internship")
        InternFactory(email="ana@example.org", full_name="Ana Reyes")
        db.session.remove()
        db.engine.dispose()
