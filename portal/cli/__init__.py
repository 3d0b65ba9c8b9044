"""Command-line tasks, one module per group: ``flask init-db``, ``seed-demo``, ``create-user``,
``flask outbox send|status|test``, ``flask reminders send``, ``flask resumes scan``, ``flask rotate-self-id-key``,
``flask purge`` and ``flask scores recompute``.

The commands parse options, call a service, commit and print; the rules and state changes stay in
``portal.services``.
"""

from __future__ import annotations

from flask import Flask


def register_commands(app: Flask) -> None:
    from portal.cli.database import init_db_command, seed_demo_command
    from portal.cli.outbox import outbox_group
    from portal.cli.purge import purge_command
    from portal.cli.reminders import reminders_group
    from portal.cli.resumes import resumes_group
    from portal.cli.scores import scores_group
    from portal.cli.self_identification import rotate_self_id_key_command
    from portal.cli.users import create_user_command

    app.cli.add_command(init_db_command)
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(create_user_command)
    app.cli.add_command(outbox_group)
    app.cli.add_command(reminders_group)
    app.cli.add_command(resumes_group)
    app.cli.add_command(scores_group)
    app.cli.add_command(rotate_self_id_key_command)
    app.cli.add_command(purge_command)
