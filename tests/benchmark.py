"""`make bench`: every performance target of issue 14, measured on loopback. Not a test module.

For each size (BENCH_SIZES applications: 100, 10,000 and 100,000 by default, with 20, 100 and 500 interns
of 26 weeks) it builds a fresh database with bulk inserts (tests/bench_data.py) and serves it with its own
gunicorn (2 sync workers, production settings), signed in as an admin through the sign-in form (MFA off,
rate limits off, CSRF on); a bare Flask hello world (tests/bench_hello.py) under the same gunicorn is the
baseline. Then each page is loaded with wrk (16 connections, BENCH_SECONDS each) at every size in turn,
BENCH_ROUNDS times (2; the sizes' order reversed each round, hello world measured in each), and each
figure is the page's best round, so a busy minute of the machine does not land on one size alone. Then:
applications POSTed with a resume at each size (tests/bench/apply.lua), ``flask outbox send`` into a
local SMTP server, and the RSS of each worker after the load.

SQLite in a temporary directory, or PostgreSQL when BENCH_DATABASE_URL is set (a database of its own is
created inside it per size and dropped after). Prints a Markdown table per database and a table of the
targets with PASS or FAIL; the exit code is 0 either way (it is a measurement). Every load targets
127.0.0.1 and is bounded in time; every process and temporary file is cleaned up.

    BENCH_SIZES=100,2000 BENCH_SECONDS=2 .venv/bin/python tests/benchmark.py   # a quick look
"""

from __future__ import annotations

import base64
import http.client
import math
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import quote, urlencode

ROOT = Path(__file__).resolve().parent.parent
TESTS = ROOT / "tests"
sys.path[:0] = [str(ROOT), str(TESTS)]

import bench_data  # noqa: E402  (after the path)
from documents import MINIMAL_PDF  # noqa: E402

SECONDS = int(os.environ.get("BENCH_SECONDS", "5"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "16"))
SIZES = [int(n) for n in os.environ.get("BENCH_SIZES", "100,10000,100000").replace("_", "").split(",") if n]
OUTBOX_MESSAGES = int(os.environ.get("BENCH_OUTBOX_MESSAGES", "10000"))
ROUNDS = max(1, int(os.environ.get("BENCH_ROUNDS", "2")))  # each page's figure is its best round
OUTBOX_SECONDS = max(30, 6 * SECONDS)  # the sender runs until the queue is empty or this long
DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "")
HOST = "127.0.0.1"
GET_SCRIPT = TESTS / "bench" / "get.lua"
APPLY_SCRIPT = TESTS / "bench" / "apply.lua"
BOUNDARY = "portal-bench-boundary-7d1f0c"
FIELD_ERROR = r'class="field-error"[^>]*>(.*?)</p>'


# Targets (issue 14).
FAST_PAGE_SHARE = 0.5  # posting and form: at least half of hello world's requests/s
GROWTH_LIMIT = 1.5  # p50 at the largest size ≤ 1.5 × p50 at the smallest
POSTS_PER_SECOND = 100
MESSAGES_PER_SECOND = 100
RSS_LIMIT_MIB = 120


@dataclass(frozen=True)
class Page:
    name: str
    path: str
    signed_in: bool
    expect: str  # text the page must contain (checked once before the load)


def pages(slug: str) -> list[Page]:
    searched = bench_data.SEARCHED_NAME
    return [
        Page("posting", f"/programs/{slug}", False, "Apply"),
        Page("application form", f"/programs/{slug}/apply", False, 'name="submission_key"'),
        Page("review queue, newest first", "/review/", True, searched),
        Page("review queue by normalised score", "/review/?sort=normalised", True, "Normalised"),
        Page(  # a filter that still fills the page at 100 applications, so each size shows 25 rows
            "review queue filtered (submitted, 20–40 h)",
            "/review/?status=submitted&hours_min=20&hours_max=40",
            True,
            "Submitted",
        ),
        Page("review queue searched (a name)", f"/review/?q={quote(searched)}", True, searched),
        Page("compliance", "/hours/compliance", True, "Compliance"),
    ]


GROWTH_PAGES = ("review queue", "compliance")  # pages whose p50 must not grow with the data


@dataclass(frozen=True)
class Load:
    rps: float
    p50: float
    p99: float
    errors: int
    requests: int
    extra: dict[str, int]


# ---- processes ---------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


class Gunicorn:
    """gunicorn with 2 sync workers on 127.0.0.1 and no access log; the other settings from ``config``."""

    def __init__(
        self, app: str, env: dict[str, str], *, config: Path, chdir: Path = ROOT, port: int = 0, workers: int = 2
    ) -> None:
        self.port = port or free_port()
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--config",
                str(config),
                "--workers",
                str(workers),
                "--worker-class",
                "sync",
                "--bind",
                f"{HOST}:{self.port}",
                "--log-level",
                "warning",
                "--chdir",
                str(chdir),
                app,
            ],
            env=env,
            start_new_session=True,
        )

    def __enter__(self) -> Gunicorn:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}")
            try:
                get(self.port, "/", timeout=2)
                return self
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("gunicorn did not answer within 30 s")

    def __exit__(self, *exc) -> None:
        self.stop()

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)

    def worker_rss_mib(self) -> list[float]:
        """The resident memory of each worker (not the master), in MiB."""
        children = subprocess.run(["pgrep", "-P", str(self.process.pid)], capture_output=True, text=True).stdout
        sizes = []
        for pid in children.split():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            match = re.search(r"VmRSS:\s+(\d+) kB", status)
            if match:
                sizes.append(int(match.group(1)) / 1024)
        return sizes


# ---- HTTP on loopback --------------------------------------------------------------------------------


def get(port: int, path: str, cookie: str = "", timeout: float = 60) -> tuple[int, dict[str, str], str]:
    return request(port, "GET", path, cookie=cookie, timeout=timeout)


def request(port, method, path, *, cookie="", body=b"", headers=None, timeout=60) -> tuple[int, dict[str, str], str]:
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        sent = {**(headers or {}), **({"Cookie": cookie} if cookie else {})}
        connection.request(method, path, body=body or None, headers=sent)
        response = connection.getresponse()
        text = response.read().decode(errors="replace")
        cookies = [value for name, value in response.getheaders() if name.lower() == "set-cookie"]
        answer = {name.lower(): value for name, value in response.getheaders()}
        if cookies:
            answer["cookie"] = cookies[-1].split(";", 1)[0]  # name=value of the session cookie
        return response.status, answer, text
    finally:
        connection.close()


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', html
    )
    if not match:
        raise RuntimeError("no CSRF token on the page")
    return match.group(1)


def sign_in(port: int, email: str, password: str) -> str:
    """Sign in through the form as a person would; the session cookie, its flash message already shown."""
    status, headers, html = get(port, "/auth/sign-in")
    cookie = headers.get("cookie", "")
    body = urlencode({"email": email, "password": password, "csrf_token": csrf_token(html)}).encode()
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    status, headers, html = request(port, "POST", "/auth/sign-in", cookie=cookie, body=body, headers=form)
    if status not in (302, 303) or "cookie" not in headers:
        raise RuntimeError(f"signing in as {email} answered {status}")
    cookie = headers["cookie"]
    status, headers, _ = get(port, "/auth/account", cookie=cookie)  # a light page shows the flash message
    if status != 200:
        raise RuntimeError(f"the account page answered {status} after signing in as {email}")
    return headers.get("cookie", cookie)


def wrk(port: int, path: str, *, cookie: str = "", script: Path = GET_SCRIPT, args: tuple[str, ...] = ()) -> Load:
    command = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{SECONDS}s", "--timeout", "30s", "--latency", "-s", str(script)]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    command += [f"http://{HOST}:{port}{path}", *(["--", *args] if args else [])]
    output = subprocess.run(command, capture_output=True, text=True, timeout=SECONDS + 60).stdout

    def latency(label: str) -> float:
        match = re.search(rf"^\s*{label}\s+([\d.]+)(us|ms|s)\s*$", output, re.M)
        if not match:
            return float("nan")
        value, unit = float(match.group(1)), match.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    extra = {name: int(value) for name, value in re.findall(r"^bench-(\w+) (\d+)$", output, re.M)}
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    socket_errors = sum(int(n) for n in sockets.groups()) if sockets else 0
    requests_done = re.search(r"(\d+) requests in", output)
    finished = int(requests_done.group(1)) if requests_done else 0
    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    return Load(  # no request finished: no latency (wrk prints 0)
        rps=float(rps.group(1)) if rps else 0.0,
        p50=latency("50%") if finished else float("nan"),
        p99=latency("99%") if finished else float("nan"),
        errors=extra.pop("errors", 0) + socket_errors,
        requests=finished,
        extra=extra,
    )


# ---- databases ---------------------------------------------------------------------------------------


@contextmanager
def fresh_database(workdir: Path, number: int) -> Iterator[str]:
    """A new empty database for one size: a SQLite file, or a PostgreSQL database dropped afterwards."""
    if not DATABASE_URL:
        path = workdir / f"bench-{number}.db"
        try:
            yield f"sqlite:///{path}"
        finally:
            for leftover in workdir.glob(f"bench-{number}.db*"):
                leftover.unlink()
        return
    from sqlalchemy import create_engine, make_url, text

    from portal.config import normalise_database_url

    server = make_url(normalise_database_url(DATABASE_URL))
    name = f"portal_bench_{os.getpid()}_{number}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def database_kind() -> str:
    return "PostgreSQL" if DATABASE_URL else "SQLite"


def portal_env(database_url: str, instance: Path, port: int, *, mail_port: int = 25) -> dict[str, str]:
    """Production settings (fresh random secrets), with MFA and rate limits off so they do not shape the load."""
    from cryptography.fernet import Fernet

    return {
        **{name: value for name, value in os.environ.items() if not name.startswith("PORTAL_")},
        "PORTAL_ENV": "production",
        "PORTAL_SECRET_KEY": secrets.token_urlsafe(48),
        "PORTAL_SELF_ID_KEY": Fernet.generate_key().decode(),
        "PORTAL_DATABASE_URL": database_url,
        "PORTAL_INSTANCE_PATH": str(instance),
        "PORTAL_UPLOAD_FOLDER": str(instance / "uploads"),
        "PORTAL_PUBLIC_URL": f"http://{HOST}:{port}",
        "PORTAL_MFA_REQUIRED_FOR_STAFF": "false",
        "PORTAL_RATELIMIT_ENABLED": "false",
        "PORTAL_MAIL_SERVER": HOST,
        "PORTAL_MAIL_PORT": str(mail_port),
    }


def count_rows(database_url: str, sql: str) -> int:
    from sqlalchemy import create_engine, text

    from portal.config import normalise_database_url

    engine = create_engine(normalise_database_url(database_url))
    try:
        with engine.connect() as connection:
            return int(connection.scalar(text(sql)))
    finally:
        engine.dispose()


# ---- the measurements --------------------------------------------------------------------------------


def load_page(port: int, page: Page, cookie: str) -> Load | str:
    """One page under wrk, after a check that it answers 200 with its content (else the reason)."""
    cookie = cookie if page.signed_in else ""
    started = time.perf_counter()
    try:
        status, _, html = get(port, page.path, cookie=cookie)
    except (OSError, http.client.HTTPException) as error:  # a worker killed by gunicorn's 30 s timeout
        return f"skipped: {type(error).__name__} on the first request"
    if status != 200 or page.expect not in html:
        return f"skipped: HTTP {status}" + ("" if status != 200 else f", no “{page.expect}” on the page")
    if time.perf_counter() - started < 1:
        for _ in range(3):  # warm both workers' caches (a slow page warms itself)
            get(port, page.path, cookie=cookie)
    return wrk(port, page.path, cookie=cookie)


def apply_body(data: bench_data.BenchData, token: str) -> bytes:
    """The form's multipart body with a small valid PDF; @@KEY@@ (email and submission key) differs per request."""
    fields = {
        "csrf_token": token,
        "full_name": "Bench Applicant",
        "email": f"post-@@KEY@@@{bench_data.BENCH_DOMAIN}",
        "city": "Queens",
        "student": "student",
        "school": "Hunter College",
        "major": "Sociology",
        "wants_credit": "no",
        "hours_per_week": "20",
        "earliest_start": (date.today() + timedelta(days=7)).isoformat(),
        "weeks_available": "12",
        "seeks_stipend": "no",
        "submission_key": "@@KEY@@",
        **data.questions,
    }
    parts = [
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    ]
    parts.append(
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="resume"; filename="resume.pdf"\r\n'
        "Content-Type: application/pdf\r\n\r\n".encode()
        + MINIMAL_PDF
        + b"\r\n"
    )
    return b"".join(parts) + f"--{BOUNDARY}--\r\n".encode()


def load_applications(port: int, data: bench_data.BenchData, database_url: str, workdir: Path) -> Load | str:
    """POST the form under wrk; checks one by hand first, and afterwards that each confirmation stored one row."""
    path = f"/programs/{data.slug}/apply"
    status, headers, html = get(port, path)
    cookie = headers.get("cookie", "")
    template = apply_body(data, csrf_token(html))
    multipart = {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}
    body = template.replace(b"@@KEY@@", b"check")
    status, headers, html = request(port, "POST", path, cookie=cookie, body=body, headers=multipart)
    if status not in (302, 303) or "/apply/submitted" not in headers.get("location", ""):
        errors = [re.sub(r"<[^>]+>|\s+", " ", error).strip() for error in re.findall(FIELD_ERROR, html, re.S)]
        return f"skipped: the check POST answered {status} {errors[:3]}"
    template_file = workdir / "apply-body.bin"
    template_file.write_bytes(template)
    tag = base64.b32encode(secrets.token_bytes(5)).decode().lower()
    load = wrk(port, path, cookie=cookie, script=APPLY_SCRIPT, args=(str(template_file), path, BOUNDARY, tag))
    stored = count_rows(database_url, f"SELECT count(*) FROM applications WHERE email LIKE 'post-{tag}-%'")  # noqa: S608
    missing = max(load.extra.get("confirmed", 0) - stored, 0)
    return Load(load.rps, load.p50, load.p99, load.errors + missing, load.requests, {**load.extra, "stored": stored})


class Counting:
    """An aiosmtpd handler that accepts every message, counting them and their recipients, and timing them."""

    def __init__(self) -> None:
        self.received = 0
        self.recipients: set[str] = set()
        self.first = self.last = 0.0

    async def handle_DATA(self, server, session, envelope) -> str:
        self.last = time.perf_counter()
        self.first = self.first or self.last
        self.received += 1
        self.recipients.update(envelope.rcpt_tos)
        return "250 OK"


def queue_copies(database_url: str) -> int:
    """Top the outbox up to OUTBOX_MESSAGES with copies of a confirmation the POST load queued; how many wait."""
    from sqlalchemy import create_engine, func, insert, select

    from portal.config import normalise_database_url
    from portal.models import OutboxMessage

    engine = create_engine(normalise_database_url(database_url))
    table = OutboxMessage.__table__
    try:
        with engine.begin() as connection:
            sample = connection.execute(select(table).where(table.c.status == "pending").limit(1)).mappings().first()
            if sample is None:
                return 0
            pending = connection.scalar(select(func.count()).select_from(table).where(table.c.status == "pending"))
            row = {key: value for key, value in sample.items() if key != "id"}
            copies = [
                {**row, "recipient": f"outbox{n}@{bench_data.BENCH_DOMAIN}"} for n in range(OUTBOX_MESSAGES - pending)
            ]
            for start in range(0, len(copies), bench_data.BATCH):
                connection.execute(insert(table), copies[start : start + bench_data.BATCH])
            return max(OUTBOX_MESSAGES, pending)
    finally:
        engine.dispose()


def send_outbox(database_url: str, instance: Path) -> dict[str, float] | str:
    """``flask outbox send --loop`` (as deployed) into a local SMTP server, until the queue is empty or
    OUTBOX_SECONDS pass; messages/s from the first message to the last (the app's start-up left out)."""
    from aiosmtpd.controller import Controller

    queued = queue_copies(database_url)
    if not queued:
        return "skipped: no queued message to copy (the POST load queued none)"
    handler = Counting()
    smtp = Controller(handler, hostname=HOST, port=free_port())
    smtp.start()
    try:
        sender = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "wsgi", "outbox", "send", "--loop", "--interval", "1"],
            cwd=ROOT,
            env=portal_env(database_url, instance, 5000, mail_port=smtp.port),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        deadline = time.monotonic() + OUTBOX_SECONDS
        while handler.received < queued and time.monotonic() < deadline and sender.poll() is None:
            time.sleep(0.2)
        os.killpg(sender.pid, signal.SIGTERM)  # it finishes the pass it is in, then stops
        _, stderr = sender.communicate(timeout=60)
    finally:
        smtp.stop()
    sent = count_rows(database_url, "SELECT count(*) FROM outbox_messages WHERE status = 'sent'")
    if handler.received < 2:
        return f"skipped: {handler.received} messages arrived; flask outbox send said: {stderr.strip()[-300:]}"
    return {
        "queued": queued,
        "received": handler.received,
        "duplicates": handler.received - len(handler.recipients),
        "marked_sent": sent,
        "seconds": handler.last - handler.first,
        "rate": (handler.received - 1) / (handler.last - handler.first),
    }


@dataclass
class SizeResult:
    size: bench_data.Size
    build_seconds: float
    loads: dict[str, Load | str]
    rss_mib: list[float]


@dataclass
class Site:
    """One size's database, served by its own gunicorn for the whole run, signed in as its admin."""

    size: bench_data.Size
    data: bench_data.BenchData
    database_url: str
    instance: Path
    server: Gunicorn
    cookie: str


def open_site(stack: ExitStack, size: bench_data.Size, number: int, workdir: Path) -> Site:
    instance = workdir / f"instance-{number}"
    instance.mkdir()
    database_url = stack.enter_context(fresh_database(workdir, number))
    print(f"\n{database_kind()}, {size.label}: building…", flush=True)
    data = bench_data.build(database_url, str(instance / "uploads"), size)
    print(f"  built in {data.seconds:.1f} s", flush=True)
    port = free_port()
    server = stack.enter_context(
        Gunicorn("wsgi:app", portal_env(database_url, instance, port), config=ROOT / "gunicorn.conf.py", port=port)
    )
    return Site(size, data, database_url, instance, server, sign_in(server.port, data.admin_email, data.admin_password))


def best(loads: list[Load | str]) -> Load | str:
    """The round with the lowest p50 (the least disturbed by the machine's other work), or why none ran."""
    measured = [load for load in loads if isinstance(load, Load) and not math.isnan(load.p50)]
    return min(measured, key=lambda load: load.p50) if measured else next(iter(loads), "skipped")


def measure(sites: list[Site], hello_port: int) -> tuple[Load, list[SizeResult], object]:
    """Every page at every size, ROUNDS times, the sizes taking turns (reversed each round) and hello world
    measured in each round, so a slow minute of the machine touches every size alike; then the POST load
    per size, the workers' memory, and the outbox of the largest size."""
    rounds: dict[tuple[str, int], list[Load | str]] = {}
    hellos: list[Load | str] = []
    for number in range(ROUNDS):
        order = sites if number % 2 == 0 else sites[::-1]
        hellos.append(wrk(hello_port, "/"))
        print(f"\nround {number + 1} of {ROUNDS}: hello world {hellos[-1].rps:.0f}/s", flush=True)
        for page in pages(bench_data.BENCH_SLUG):
            for site in order:
                load = load_page(site.server.port, page, site.cookie)
                rounds.setdefault((page.name, site.size.applications), []).append(load)
                report(f"{page.name} at {site.size.applications:,}", load)
    results = []
    for site in sites:
        loads = {page.name: best(rounds[(page.name, site.size.applications)]) for page in pages(bench_data.BENCH_SLUG)}
        posted = load_applications(site.server.port, site.data, site.database_url, site.instance)
        report(f"POST application with a resume at {site.size.applications:,}", posted)
        loads["POST application with a resume"] = posted
        results.append(SizeResult(site.size, site.data.seconds, loads, site.server.worker_rss_mib()))
    outbox = send_outbox(sites[-1].database_url, sites[-1].instance) if sites else None
    print(f"  flask outbox send: {outbox}", flush=True)
    return best(hellos), results, outbox


def report(name: str, load: Load | str) -> None:
    if isinstance(load, str):
        print(f"  {name}: {load}", flush=True)
    else:
        print(
            f"  {name}: {load.rps:.0f}/s, p50 {ms(load.p50)} ms, p99 {ms(load.p99)} ms, errors {load.errors}",
            flush=True,
        )


# ---- the report --------------------------------------------------------------------------------------


def tables(hello: Load, results: list[SizeResult], outbox: object) -> str:
    lines = [
        f"{database_kind()}: wrk, {CONNECTIONS} connections, {SECONDS} s per page, best of {ROUNDS} rounds; "
        "gunicorn 2 sync workers; "
        f"{os.cpu_count()} cores; {date.today().isoformat()}",
        "",
        "| page | size | p50 ms | p99 ms | requests/s | × hello world | errors |",
        "|---|---|---|---|---|---|---|",
        f"| hello world (bare Flask) | – | {hello.p50:.1f} | {hello.p99:.1f} | {hello.rps:.0f} | 1.00 "
        f"| {hello.errors} |",
    ]
    names = list(results[0].loads) if results else []
    for name in names:
        for result in results:
            load = result.loads[name]
            size = f"{result.size.applications:,}"
            if isinstance(load, str):
                lines.append(f"| {name} | {size} | {load} | | | | |")
            else:
                lines.append(
                    f"| {name} | {size} | {ms(load.p50)} | {ms(load.p99)} | {load.rps:.0f} | "
                    f"{load.rps / hello.rps:.2f} | {load.errors} |"
                )
    lines += [
        "",
        "Data built with bulk inserts: " + "; ".join(f"{r.size.label} in {r.build_seconds:.1f} s" for r in results),
    ]
    lines += ["", "| target | figure | result |", "|---|---|---|"]
    lines += [f"| {target} | {figure} | {verdict} |" for target, figure, verdict in targets(hello, results, outbox)]
    return "\n".join(lines)


def ms(value: float) -> str:
    """Milliseconds with one decimal; "–" when no request finished."""
    return "–" if math.isnan(value) else f"{value:.1f}"


def verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else "PASS" if ok else "**FAIL**"


def targets(hello: Load, results: list[SizeResult], outbox: object) -> list[tuple[str, str, str]]:
    rows = []
    for name in ("posting", "application form"):
        shares = [
            (r.loads[name].rps / hello.rps, r.size.applications) for r in results if isinstance(r.loads[name], Load)
        ]
        if not shares:
            rows.append((f"{name}: ≥ 50 % of hello world's requests/s", "not measured", verdict(False)))
            continue
        share, at = min(shares)
        rows.append(
            (
                f"{name}: ≥ 50 % of hello world's requests/s",
                f"{share:.0%} (lowest, at {at:,})",
                verdict(share >= FAST_PAGE_SHARE),
            )
        )
    small, large = (results[0], results[-1]) if len(results) > 1 else (None, None)
    for name in results[0].loads if results else ():
        if not name.startswith(GROWTH_PAGES):
            continue
        target = f"{name}: p50 at the largest size ≤ {GROWTH_LIMIT} × p50 at the smallest"
        if small is None:
            rows.append((target, "one size only", verdict(None)))
            continue
        a, b = small.loads[name], large.loads[name]
        if isinstance(a, str) or isinstance(b, str):
            rows.append((target, "not measured", verdict(False)))
            continue
        growth = b.p50 / a.p50
        figure = (
            f"{ms(b.p50)} ms at {large.size.applications:,} ÷ {ms(a.p50)} ms at {small.size.applications:,} "
            f"= {'–' if math.isnan(growth) else f'{growth:.2f}'}×"
        )
        rows.append((target, figure, verdict(growth <= GROWTH_LIMIT and b.errors == 0)))
    posts = [(r.loads["POST application with a resume"], r.size.applications) for r in results]
    measured = [(load, at) for load, at in posts if isinstance(load, Load)]
    if measured:
        slowest, at = min(measured, key=lambda pair: pair[0].rps)
        errors = sum(load.errors for load, _ in measured)
        rows.append(
            (
                f"POST application with a resume: ≥ {POSTS_PER_SECOND}/s, 0 errors, {CONNECTIONS} clients",
                f"{slowest.rps:.0f}/s (lowest, at {at:,}), {errors} errors",
                verdict(slowest.rps >= POSTS_PER_SECOND and errors == 0 and len(measured) == len(posts)),
            )
        )
    else:
        rows.append(("POST application with a resume", "not measured", verdict(False)))
    if isinstance(outbox, dict):
        exactly_once = outbox["duplicates"] == 0 and outbox["received"] == outbox["marked_sent"]
        rows.append(
            (
                f"flask outbox send: ≥ {MESSAGES_PER_SECOND} messages/s into a local SMTP server",
                f"{outbox['rate']:.0f}/s ({outbox['received']:,} of {outbox['queued']:,} queued in "
                f"{outbox['seconds']:.1f} s; {outbox['duplicates']} twice, {outbox['marked_sent']:,} marked sent)",
                verdict(outbox["rate"] >= MESSAGES_PER_SECOND and exactly_once),
            )
        )
    else:
        rows.append(("flask outbox send", str(outbox), verdict(False)))
    rss = [(max(r.rss_mib), r.size.applications) for r in results if r.rss_mib]
    if rss:
        worst, at = max(rss)
        rows.append(
            (
                f"RSS per worker after the load ≤ {RSS_LIMIT_MIB} MiB",
                f"{worst:.0f} MiB (largest, at {at:,})",
                verdict(worst <= RSS_LIMIT_MIB),
            )
        )
    return rows


def main() -> int:
    if not shutil.which("wrk"):
        print("make bench needs wrk (apt-get install wrk)", file=sys.stderr)
        return 0
    started = time.perf_counter()
    workdir = Path(tempfile.mkdtemp(prefix="portal-bench-"))
    os.environ["PORTAL_INSTANCE_PATH"] = str(workdir)  # the in-process builder never reads instance/config.py
    sizes = [bench_data.size_for(n) for n in sorted(SIZES)]
    print(
        f"make bench on {database_kind()}: sizes {', '.join(f'{s.applications:,}' for s in sizes)}; "
        f"{SECONDS} s per load"
    )
    try:
        empty = workdir / "hello.conf.py"  # the project's gunicorn.conf.py sets up the portal's database
        empty.write_text("")
        with ExitStack() as stack:
            hello_server = stack.enter_context(
                Gunicorn("bench_hello:app", dict(os.environ), config=empty, chdir=TESTS)
            )
            get(hello_server.port, "/")
            sites = [open_site(stack, size, number, workdir) for number, size in enumerate(sizes)]
            hello, results, outbox = measure(sites, hello_server.port)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print("\n" + tables(hello, results, outbox))
    print(f"\nWhole bench: {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
