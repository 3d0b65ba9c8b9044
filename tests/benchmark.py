"""`make bench`: requests per second, latency and memory of the portal under gunicorn, on loopback.

Not a test module (pytest collects only test_*.py).

Builds a throwaway SQLite database (or uses BENCH_DATABASE_URL) with a realistic amount of data,
serves it with gunicorn (2 sync workers: the best setting on 2 cores), and loads each page with wrk
when it is installed (else a small Python client, slower: figures then say so). Loads are bounded
in time and only ever target 127.0.0.1. Prints a Markdown table for the README.
"""

from __future__ import annotations

import http.client
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DURATION = int(os.environ.get("BENCH_SECONDS", "8"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "16"))
APPLICATIONS = int(os.environ.get("BENCH_APPLICATIONS", "2000"))
INTERNS = int(os.environ.get("BENCH_INTERNS", "50"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def build_data(database_url: str, instance: Path) -> dict:
    """The demo program plus APPLICATIONS applications with reviews and INTERNS interns with 20 weeks."""
    from portal import create_app
    from portal.extensions import db
    from portal.models import (
        Application,
        ApplicationAnswer,
        ApplicationStatus,
        Placement,
        Review,
        Role,
        Score,
        TimesheetEntry,
        TimesheetWeek,
        User,
        WeekStatus,
    )
    from portal.rules.weeks import week_monday
    from portal.services.demo import seed_demo

    app = create_app({"DATABASE_URL": database_url, "INSTANCE_PATH": str(instance), "UPLOAD_FOLDER": str(instance)})
    with app.app_context():
        db.create_all()
        seed = seed_demo()
        program = seed.program
        supervisor = User.by_email("supervisor@demo.example.org")
        db.session.flush()
        statuses = list(ApplicationStatus)
        reviewers = [supervisor] + [User(email=f"reviewer{i}@bench.test", role=Role.SUPERVISOR) for i in range(3)]
        db.session.add_all(reviewers[1:])
        program.reviewers.extend(reviewers[1:])
        # Each application answers the program's text questions, as the form would store them.
        essays = [q for q in program.active_questions() if q.kind.value in ("short_text", "long_text")]
        for i in range(APPLICATIONS):
            application = Application(
                program=program,
                status=statuses[i % len(statuses)],
                full_name=f"Applicant {i}",
                email=f"applicant{i}@bench.test",
                hours_per_week=15 + i % 26,
                weeks_available=12,
                earliest_start=date.today(),
                answers=[ApplicationAnswer(question=q, text=("Because " * 40)[: q.max_chars or 320]) for q in essays],
            )
            db.session.add(application)
            for j, reviewer in enumerate(reviewers[: 1 + i % 3]):
                review = Review(application=application, reviewer=reviewer, submitted_at=application.submitted_at)
                review.scores = [Score(criterion=c, value=1 + (i + j + c.position) % 5) for c in program.rubric]
                db.session.add(review)
        first_monday = week_monday(date.today()) - timedelta(weeks=20)
        for n in range(INTERNS):
            intern = User(email=f"intern{n}@bench.test", role=Role.INTERN, full_name=f"Intern {n}")
            placement = Placement(
                program=program,
                intern=intern,
                supervisor=supervisor,
                start_date=first_monday,
                committed_minutes_per_week=25 * 60,
                stipend_eligible=n % 2 == 0,
            )
            db.session.add(placement)
            for w in range(20):
                week = TimesheetWeek(
                    placement=placement, week_start=first_monday + timedelta(weeks=w), status=WeekStatus.APPROVED
                )
                week.entries = [
                    TimesheetEntry(
                        work_date=week.week_start + timedelta(days=d),
                        minutes=300 + 30 * ((n + w + d) % 4),
                        category=program.categories[(n + d) % len(program.categories)],
                    )
                    for d in range(4)
                ]
                db.session.add(week)
        db.session.commit()
        admin = User.by_email("admin@demo.example.org")
        serializer = app.session_interface.get_signing_serializer(app)
        cookies = {
            "supervisor": serializer.dumps({"_user_id": supervisor.session_token, "_fresh": True}),
            "admin": serializer.dumps({"_user_id": admin.session_token, "_fresh": True}),
        }
        placement_id = db.session.scalar(db.select(Placement.id).order_by(Placement.id.desc()))
        intern = db.session.get(Placement, placement_id).intern
        cookies["intern"] = serializer.dumps({"_user_id": intern.session_token, "_fresh": True})
        return {"slug": program.slug, "cookies": cookies, "placement_id": placement_id}


def rss_kib(pids: list[int]) -> int:
    total = 0
    for pid in pids:
        try:
            text = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        match = re.search(r"VmRSS:\s+(\d+) kB", text)
        total += int(match.group(1)) if match else 0
    return total


def gunicorn_pids(master: int) -> list[int]:
    children = subprocess.run(["pgrep", "-P", str(master)], capture_output=True, text=True).stdout.split()
    return [master, *map(int, children)]


def load_with_wrk(url: str, cookie: str | None) -> dict:
    command = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{DURATION}s", "--latency", url]
    if cookie:
        command[1:1] = ["-H", f"Cookie: session={cookie}"]
    output = subprocess.run(command, capture_output=True, text=True, timeout=DURATION + 30).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))

    def latency(label: str) -> float:
        match = re.search(rf"{label}\s+([\d.]+)(us|ms|s)", output)
        value, unit = float(match.group(1)), match.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    return {"rps": rps, "p50": latency("50%"), "p99": latency("99%"), "errors": int(non_2xx.group(1)) if non_2xx else 0}


def load_with_python(port: int, path: str, cookie: str | None) -> dict:
    deadline = time.monotonic() + DURATION
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()

    def worker() -> None:
        nonlocal errors
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        headers = {"Cookie": f"session={cookie}"} if cookie else {}
        while time.monotonic() < deadline:
            started = time.perf_counter()
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            response.read()
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                latencies.append(elapsed)
                errors += response.status >= 400

    threads = [threading.Thread(target=worker) for _ in range(CONNECTIONS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    latencies.sort()
    return {
        "rps": len(latencies) / DURATION,
        "p50": statistics.median(latencies),
        "p99": latencies[int(len(latencies) * 0.99) - 1],
        "errors": errors,
    }


def main() -> int:
    workdir = Path(tempfile.mkdtemp(prefix="portal-bench-"))
    database_url = os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{workdir / 'bench.db'}")
    print(f"Building data: {APPLICATIONS} applications, {INTERNS} interns × 20 weeks ({database_url.split(':')[0]})")
    data = build_data(database_url, workdir)
    port = free_port()
    env = {
        **os.environ,
        "PORTAL_DATABASE_URL": database_url,
        "PORTAL_INSTANCE_PATH": str(workdir),
        "PORTAL_RATELIMIT_ENABLED": "false",
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "wsgi:app",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        time.sleep(1)
        pids = gunicorn_pids(server.pid)
        idle = rss_kib(pids)
        pages = [
            ("home", "/", None),
            ("posting", f"/programs/{data['slug']}", None),
            ("application form", f"/programs/{data['slug']}/apply", None),
            ("review queue (2,000 applications)", "/review/", "supervisor"),
            ("review queue sorted by normalised score", "/review/?sort=normalised", "supervisor"),
            ("compliance (50 interns × 20 weeks)", "/hours/compliance", "admin"),
            ("intern dashboard (20 weeks)", "/hours/", "intern"),
        ]
        tool = "wrk" if shutil.which("wrk") else "python"
        rows = []
        for name, path, who in pages:
            cookie = data["cookies"][who] if who else None
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            connection.request("GET", path, headers={"Cookie": f"session={cookie}"} if cookie else {})
            status = connection.getresponse().status
            if status != 200:
                rows.append((name, path, f"skipped (HTTP {status})", "", "", ""))
                continue
            result = (
                load_with_wrk(f"http://127.0.0.1:{port}{path}", cookie)
                if tool == "wrk"
                else load_with_python(port, path, cookie)
            )
            rows.append(
                (
                    name,
                    path,
                    f"{result['rps']:.0f}",
                    f"{result['p50']:.1f}",
                    f"{result['p99']:.1f}",
                    str(result["errors"]),
                )
            )
        loaded = rss_kib(gunicorn_pids(server.pid))
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)
        shutil.rmtree(workdir, ignore_errors=True)

    print(
        f"\nLoad: {tool}, {CONNECTIONS} connections, {DURATION} s per page, gunicorn 2 sync workers, "
        f"{os.cpu_count()} cores, {database_url.split(':')[0]}\n"
    )
    print("| page | path | requests/s | p50 ms | p99 ms | errors |")
    print("|---|---|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    print(
        f"\nMemory (RSS of gunicorn master + 2 workers): {idle / 1024:.0f} MiB idle, "
        f"{loaded / 1024:.0f} MiB after the load"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
