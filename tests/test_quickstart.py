"""The README's quick start as a new user runs it: `make run` seeds, serves, and keeps data on a rerun."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.request
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
    finally:
        first_output = stop(first)
    assert "Organizing 2.0 Fall Internship" in home
    assert "No fetching coffee or photocopying" in posting
    assert "admin@demo.example.org" in first_output
    assert (tmp_path / "portal.db").exists()

    second = start_make_run(port, tmp_path)
    try:
        wait_for_page(f"http://127.0.0.1:{port}/", second)
    finally:
        second_output = stop(second)
    assert "already present" in second_output
    assert "admin@demo.example.org" not in second_output
