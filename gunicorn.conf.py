"""gunicorn settings, read from the working directory by every gunicorn started in the project folder
(`make serve`, `make bench`, the tests); a command-line option (``-w``, ``-b``) still wins.

Access logs never record private-link tokens: the app installs the masking filter when it is built and
this file puts it on gunicorn's own loggers in the master and in each worker.
"""

from __future__ import annotations

import gc
import os

from portal.logging_filters import install_log_filters


def available_cores() -> int:
    """The cores this process may run on (a container's CPU set, not the whole machine's)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


# Sync workers, 2 × cores + 1 (gunicorn's own advice): a worker waiting on PostgreSQL, Redis or clamd
# leaves its core to another, and nginx in front buffers slow clients and uploads, so no worker waits on
# one. A worker is about 90 MiB resident, half of it shared with the master (preload_app below);
# WEB_CONCURRENCY overrides the count (e.g. two instances sharing one machine: give each half).
workers = int(os.environ.get("WEB_CONCURRENCY") or 2 * available_cores() + 1)
worker_class = "sync"
# Loopback by default: nginx is the only client. BIND takes any gunicorn address (host:port or
# unix:/run/portal.sock); else PORT on 127.0.0.1 (8000 when unset). gunicorn's own PORT default would
# listen on every interface.
bind = [os.environ.get("BIND") or f"127.0.0.1:{os.environ.get('PORT') or 8000}"]

# A request silent for 30 s kills its worker (the slowest pages, the PDF statement and a clamd scan
# with its 10 s limit, take a few seconds); on a restart (SIGTERM, SIGHUP) a worker gets 30 s to finish
# its request. keepalive only counts with threaded or async workers: sync workers close each connection.
timeout = 30
graceful_timeout = 30
keepalive = 5

# Build the app once in the master, before forking: a configuration error stops `make serve` with one
# line instead of every worker failing in turn, and the workers share the loaded code (copy-on-write).
# post_fork below gives each worker its own database connections.
preload_app = True

# The access log's line: the path without its query string, no referrer (it can be a private link
# too), and the token-masking filter over the whole line. `make serve` and the systemd unit turn the log
# on with --access-logfile - (stdout: the journal); `make bench` and the tests leave it off or choose
# their own. Errors go to stderr.
access_log_format = '%(h)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms "%(a)s"'
errorlog = "-"


def on_starting(server) -> None:
    install_log_filters()


# Python's cycle collector, tuned for a worker: a request allocates a few thousand objects, so the default
# first threshold (700) ran a collection in almost every request, and every few requests one that walked
# the whole loaded app again. Measured in process (make bench's POST of an application on SQLite), the
# collector took 0.8 ms of a 12.6 ms request; with the app frozen (pre_fork) and this threshold, 0.2 ms.
GC_THRESHOLD = (7000, 10, 10)


def pre_fork(server, worker) -> None:
    """The app loaded in the master (preload_app) lives as long as the workers: freeze it, so a worker's
    collections never walk it (nor write to its pages, which then stay shared with the master)."""
    gc.freeze()


def post_fork(server, worker) -> None:
    """Each worker drops the connections it inherited from the master (preload_app), so two processes
    never talk over one database connection; the master's own are left open for it."""
    from portal.extensions import db

    gc.set_threshold(*GC_THRESHOLD)
    app = worker.app.wsgi()
    with app.app_context():
        for engine in db.engines.values():
            engine.dispose(close=False)


def post_worker_init(worker) -> None:
    install_log_filters()
