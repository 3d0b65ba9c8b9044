"""Configuration layers and the production secret check."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from portal import ConfigError, create_app
from portal.config import DEV_SECRET_KEY, normalise_database_url

ROOT = Path(__file__).resolve().parent.parent
STRONG = "k7Qz-2vN_p9LxW4rT8mYc1Hb6JdF3sGa0eUo5iRn"  # 40 random characters (secrets.token_urlsafe(30))
SELF_ID = "q0a4sYdNe8yJ3n2x1lqfVtq0G3v2b0mV3T3e8xJq6QY="  # a Fernet key (Fernet.generate_key())


def run_wsgi(env_overrides: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    env.update({"PORTAL_INSTANCE_PATH": str(tmp_path), **env_overrides})
    return subprocess.run(
        [sys.executable, "-c", "import wsgi; print('started')"], cwd=ROOT, env=env, capture_output=True, text=True
    )


def test_production_without_secret_key_refuses_to_start_with_one_line(tmp_path):
    result = run_wsgi({"PORTAL_ENV": "production"}, tmp_path)
    assert result.returncode != 0
    assert "started" not in result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "PORTAL_SECRET_KEY" in lines[0]


@pytest.mark.parametrize(
    "secret, words",
    [(DEV_SECRET_KEY, "development value"), ("short-key", "shorter than 32")],
)
def test_production_refuses_weak_secret_keys(tmp_path, secret, words):
    with pytest.raises(ConfigError, match=words):
        create_app({"ENV": "production", "SECRET_KEY": secret, "DATABASE_URL": f"sqlite:///{tmp_path}/x.db"})


def test_production_requires_its_own_self_identification_key(tmp_path):
    result = run_wsgi({"PORTAL_ENV": "production", "PORTAL_SECRET_KEY": STRONG}, tmp_path)
    assert result.returncode != 0
    assert "PORTAL_SELF_ID_KEY" in result.stderr


def test_production_starts_with_real_secrets(tmp_path):
    result = run_wsgi(
        {
            "PORTAL_ENV": "production",
            "PORTAL_SECRET_KEY": STRONG,
            "PORTAL_SELF_ID_KEY": SELF_ID,
            "PORTAL_DATABASE_URL": f"sqlite:///{tmp_path}/prod.db",
        },
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "started" in result.stdout


def test_layers_instance_file_then_environment_then_test_config(tmp_path, monkeypatch):
    (tmp_path / "config.py").write_text("ORGANISATION_NAME = 'From instance file'\nMAIL_PORT = 2525\nPLACES = 1\n")
    monkeypatch.setenv("PORTAL_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("PORTAL_MAIL_PORT", "2626")
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path}/x.db"})
    assert app.config["ORGANISATION_NAME"] == "From instance file"
    assert app.config["MAIL_PORT"] == 2626  # environment beats the instance file, parsed as a number
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path}/x.db", "MAIL_PORT": 2727})
    assert app.config["MAIL_PORT"] == 2727


@pytest.mark.parametrize(
    "given, expected",
    [
        ("postgres://u:p@db:5432/portal", "postgresql+psycopg://u:p@db:5432/portal"),
        ("postgresql://u@db/portal", "postgresql+psycopg://u@db/portal"),
        ("postgresql+psycopg://u@db/portal", "postgresql+psycopg://u@db/portal"),
        ("sqlite:///instance/portal.db", "sqlite:///instance/portal.db"),
    ],
)
def test_postgres_urls_use_the_psycopg_driver(given, expected):
    assert normalise_database_url(given) == expected


def test_environment_database_url_accepts_postgres_scheme(tmp_path, monkeypatch):
    monkeypatch.setenv("PORTAL_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("PORTAL_DATABASE_URL", "postgres://someone@127.0.0.1:1/nowhere")
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://someone@127.0.0.1:1/nowhere"


# ---- the served port in links, and where mail goes ---------------------------------------------


@pytest.fixture
def bare_environment(tmp_path, monkeypatch):
    """No PORTAL_* or PORT from the shell running the tests (``make test`` exports PORT)."""
    for name in [name for name in os.environ if name.startswith("PORTAL_")] + ["PORT"]:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PORTAL_INSTANCE_PATH", str(tmp_path))
    return {"DATABASE_URL": f"sqlite:///{tmp_path}/x.db"}


def test_links_in_mail_and_on_the_statement_use_the_served_port(bare_environment, monkeypatch):
    from portal.services.outbox import queue_email
    from portal.services.statements import verify_url

    monkeypatch.setenv("PORT", "5055")
    app = create_app(bare_environment)
    assert app.config["PUBLIC_URL"] == "http://127.0.0.1:5055"
    with app.test_request_context():
        message = queue_email("ada@example.org", "test_message", "Test")
        assert "http://127.0.0.1:5055/" in message.text_body
        assert verify_url("ABCD-EFGH").startswith("http://127.0.0.1:5055/hours/verify/")


def test_without_port_links_use_flasks_default_port(bare_environment):
    assert create_app(bare_environment).config["PUBLIC_URL"] == "http://127.0.0.1:5000"


def test_a_configured_public_url_wins_over_the_port(bare_environment, tmp_path, monkeypatch):
    monkeypatch.setenv("PORT", "5055")
    (tmp_path / "config.py").write_text("PUBLIC_URL = 'https://interns.example.org'\n")
    assert create_app(bare_environment).config["PUBLIC_URL"] == "https://interns.example.org"
    monkeypatch.setenv("PORTAL_PUBLIC_URL", "https://from-env.example.org")
    assert create_app(bare_environment).config["PUBLIC_URL"] == "https://from-env.example.org"


def test_production_links_do_not_follow_the_port(bare_environment, monkeypatch):
    monkeypatch.setenv("PORT", "8000")  # hosting platforms set PORT for the server behind their proxy
    app = create_app({**bare_environment, "ENV": "production", "SECRET_KEY": STRONG, "SELF_ID_KEY": SELF_ID})
    assert app.config["PUBLIC_URL"] == "http://127.0.0.1:5000"
    assert app.config["MAIL_TRANSPORT"] == "smtp"


def test_a_port_that_is_not_a_number_is_refused_with_its_name(bare_environment, monkeypatch):
    monkeypatch.setenv("PORT", "fifty")
    with pytest.raises(ConfigError, match="PORT is 'fifty'"):
        create_app(bare_environment)


@pytest.mark.parametrize("env, transport", [("development", "dev"), ("testing", "smtp")])
def test_mail_is_printed_in_development_and_sent_over_smtp_elsewhere(bare_environment, env, transport):
    assert create_app({**bare_environment, "ENV": env}).config["MAIL_TRANSPORT"] == transport


def test_mail_transport_is_checked(bare_environment):
    assert create_app({**bare_environment, "MAIL_TRANSPORT": "smtp"}).config["MAIL_TRANSPORT"] == "smtp"
    with pytest.raises(ConfigError, match="PORTAL_MAIL_TRANSPORT is 'pigeon'"):
        create_app({**bare_environment, "MAIL_TRANSPORT": "pigeon"})
    production = {**bare_environment, "ENV": "production", "SECRET_KEY": STRONG, "SELF_ID_KEY": SELF_ID}
    with pytest.raises(ConfigError, match="production needs smtp"):
        create_app({**production, "MAIL_TRANSPORT": "dev"})
