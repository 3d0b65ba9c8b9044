"""A real clamd for tests: Debian's clamav-daemon, loaded with one local test signature for the EICAR string
(ClamAV has no signature database offline, and ``freshclam`` needs the internet).

A module imports the ``real_clamd`` fixture (module-scoped: one clamd per module, started in well under a
second with one signature) and points the app at it with the ``app_config`` marker::

    from clamd_support import CLAMD_SOCKET, real_clamd  # noqa: F401

    pytestmark = pytest.mark.app_config(CLAMD_SOCKET=CLAMD_SOCKET)

    def test_scans(client, real_clamd):
        ...

The socket's path is fixed when this module is imported (the marker needs it before any fixture runs) and
is unique to this process. Without clamd the tests are skipped with the reason printed; with CI=true that
is a failure instead, so CI can never pass without having run them.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from documents import EICAR

CLAMD = os.environ.get("PORTAL_CLAMD", "/usr/sbin/clamd")
SIGNATURE = "Portal.Test.EICAR"
#: How clamd names a match from a local (unsigned) database.
FOUND_AS = f"{SIGNATURE}.UNOFFICIAL"
# Short, under /tmp: unix socket paths are limited to about 100 characters.
CLAMD_FOLDER = Path(tempfile.gettempdir()) / f"portal-clamd-{os.getpid()}"
CLAMD_SOCKET = str(CLAMD_FOLDER / "clamd.sock")
START_DEADLINE_SECONDS = 30


def unavailable(reason: str):
    """Skip with the reason printed; under CI=true fail instead, so CI never passes without the check."""
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"clamd tests cannot run in CI: {reason}", pytrace=False)
    pytest.skip(f"clamd tests skipped: {reason}")


def write_clamd_files(folder: Path) -> Path:
    """The signature database (an .ndb line: name, any file type, any offset, the bytes in hex) and the
    config; returns the config's path."""
    (folder / "db").mkdir()
    (folder / "db" / "portal-test.ndb").write_text(f"{SIGNATURE}:0:*:{EICAR.hex()}\n")
    config = folder / "clamd.conf"
    config.write_text(
        f"LocalSocket {CLAMD_SOCKET}\n"
        f"DatabaseDirectory {folder / 'db'}\n"
        "Foreground yes\n"
        f"LogFile {folder / 'clamd.log'}\n"
        f"TemporaryDirectory {folder}\n"
    )
    return config


def answers_ping(path: str) -> bool:
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
            connection.settimeout(2)
            connection.connect(path)
            connection.sendall(b"zPING\0")
            return connection.recv(16) == b"PONG\0"
    except OSError:
        return False


def wait_until_ready(process: subprocess.Popen, folder: Path) -> None:
    """Return once clamd answers PING; fail (showing clamd's log) if it exits first or takes too long."""
    started = time.monotonic()
    while time.monotonic() - started < START_DEADLINE_SECONDS:
        if process.poll() is not None:
            pytest.fail(f"clamd exited with {process.returncode} before answering:\n{clamd_log(folder)}")
        if Path(CLAMD_SOCKET).is_socket() and answers_ping(CLAMD_SOCKET):
            return
        time.sleep(0.05)
    pytest.fail(f"clamd did not answer PING within {START_DEADLINE_SECONDS} s:\n{clamd_log(folder)}")


def clamd_log(folder: Path) -> str:
    return "\n".join(
        path.read_text(errors="replace") for path in (folder / "clamd.log", folder / "output.log") if path.is_file()
    )


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture(scope="module")
def real_clamd() -> Iterator[str]:
    """clamd running on CLAMD_SOCKET with only the EICAR test signature; yields the socket's path."""
    if not (Path(CLAMD).is_file() or shutil.which(CLAMD)):
        unavailable(f"clamd not found at {CLAMD} (install it with: apt-get install clamav-daemon)")
    shutil.rmtree(CLAMD_FOLDER, ignore_errors=True)  # a run that died with this process id
    CLAMD_FOLDER.mkdir(mode=0o700)
    config = write_clamd_files(CLAMD_FOLDER)
    with open(CLAMD_FOLDER / "output.log", "wb") as output:
        process = subprocess.Popen(
            [CLAMD, "-c", str(config)], stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.STDOUT
        )
    try:
        wait_until_ready(process, CLAMD_FOLDER)
        yield CLAMD_SOCKET
    finally:
        stop(process)
        shutil.rmtree(CLAMD_FOLDER, ignore_errors=True)
