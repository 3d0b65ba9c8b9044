"""The README's quick start as a new user runs it: `make run` seeds, serves, and keeps data on a rerun;
its mail is printed in the terminal with links to the port it serves."""

from __future__ import annotations

import http.cookiejar
import os
import re
import signal
import socket
import sqlite3
import subprocess
import time
import urllib.parse
import urllib.request
from contextlib import closing
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_make_run(port: int, instance: Path) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PORTAL_", "FLASK_"))}
    env.update({"PORT": str(port), "PORTAL_INSTANCE_PATH": str(instance)})
    return subprocess.Popen(
        ["make", "--no-print-directory", "run"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


def wait_for_page(url: str, process: subprocess.Popen, seconds: float = 60) -> str:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"make run exited early:\n{process.stdout.read()}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return response.read().decode()
        except OSError:
            time.sleep(0.3)
    pytest.fail(f"nothing answered at {url} within {seconds} s")


def ask_for_status_link(port: int, email: str) -> None:
    """The "lost your link?" form as a browser sends it: the page's CSRF token and cookie, then the post."""
    url = f"http://127.0.0.1:{port}/status/lost-link"
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    with opener.open(url, timeout=10) as response:
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', response.read().decode()).group(1)
    form = urllib.parse.urlencode({"csrf_token": token, "email": email}).encode()
    with opener.open(url, data=form, timeout=10) as response:
        assert response.url.endswith("/status/lost-link/sent")


def stop(process: subprocess.Popen) -> str:
    os.killpg(process.pid, signal.SIGINT)
    try:
        output, _ = process.communicate(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        output, _ = process.communicate()
    return output


def test_make_run_serves_the_seeded_posting_on_port_and_keeps_data(tmp_path):
    port = free_port()
    first = start_make_run(port, tmp_path)
    try:
        home = wait_for_page(f"http://127.0.0.1:{port}/", first)
        posting = wait_for_page(f"http://127.0.0.1:{port}/programs/organizing-2-0-fall-internship", first)
        ask_for_status_link(port, "jamal@demo.example.org")
    finally:
        first_output = stop(first)
    assert "Organizing 2.0 Fall Internship" in home
    assert "No fetching coffee or photocopying" in posting
    assert "admin@demo.example.org" in first_output
    assert (tmp_path / "portal.db").exists()
    # The mail went nowhere real: the terminal shows it, with a link to this port, and says where to read it.
    assert f"listed at http://127.0.0.1:{port}/admin/mail" in first_output
    assert "to jamal@demo.example.org" in first_output
    assert re.search(rf"Link: http://127\.0\.0\.1:{port}/status/[\w-]+", first_output), first_output
    with closing(sqlite3.connect(tmp_path / "portal.db")) as database:
        statuses = database.execute(
            "SELECT status FROM outbox_messages WHERE recipient = 'jamal@demo.example.org'"
        ).fetchall()
    assert statuses == [("sent",)]

    second = start_make_run(port, tmp_path)
    try:
        wait_for_page(f"http://127.0.0.1:{port}/", second)
    finally:
        second_output = stop(second)
    assert "already present" in second_output
    assert "admin@demo.example.org" not in second_output
