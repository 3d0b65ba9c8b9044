"""gunicorn settings read from the working directory: access logs never record private-link tokens.

The app installs the same filter when a worker builds it; this also covers the master's own log lines.
"""

from portal.logging_filters import install_log_filters


def on_starting(server) -> None:
    install_log_filters()


def post_worker_init(worker) -> None:
    install_log_filters()
