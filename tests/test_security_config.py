"""Configuration validated at start (issue 12, point 6): an unsafe setting is one clear line, never a 500 later."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from portal import ConfigError, create_app
from portal.config import DEV_SELF_ID_KEY

ROOT = Path(__file__).resolve().parent.parent
STRONG = "k7Qz-2vN_p9LxW4rT8mYc1Hb6JdF3sGa0eUo5iRn"
SELF_ID = "q0a4sYdNe8yJ3n2x1lqfVtq0G3v2b0mV3T3e8xJq6QY="


@pytest.fixture
def settings(tmp_path, monkeypatch):
    """Production settings that start; each test spoils one of them. No PORTAL_* from the shell."""
    for name in [name for name in os.environ if name.startswith("PORTAL_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("PORTAL_INSTANCE_PATH", str(tmp_path))
    return {"ENV": "production", "SECRET_KEY": STRONG, "SELF_ID_KEY": SELF_ID, "DATABASE_URL": f"sqlite:///{tmp_path}/x.db"}


def start(environment: dict[str, str], tmp_path: Path, *command: str) -> subprocess.CompletedProcess:
    """Start the app the way a server does (``import wsgi``) or through the ``flask`` command."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    env.update({"PORTAL_INSTANCE_PATH": str(tmp_path), "PORTAL_DATABASE_URL": f"sqlite:///{tmp_path}/p.db"})
    env.update(environment)
    argv = command or ("-c", "import wsgi; print('started')")
    return subprocess.run([sys.executable, *argv], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)


def refused_with_one_line(result: subprocess.CompletedProcess) -> str:
    assert result.returncode != 0 and "started" not in result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


# --- PORTAL_ENV ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["Production", "PRODUCTION", " production "])
def test_production_in_any_case_is_production_with_its_checks(settings, value):
    assert create_app({**settings, "ENV": value}).config["ENV"] == "production"
    with pytest.raises(ConfigError, match="PORTAL_SECRET_KEY is a development value"):
        create_app({k: v for k, v in settings.items() if k != "SECRET_KEY"} | {"ENV": value})


def test_production_spelled_differently_never_starts_as_development(tmp_path):
    line = refused_with_one_line(start({"PORTAL_ENV": "Production"}, tmp_path))
    assert "PORTAL_SECRET_KEY" in line


@pytest.mark.parametrize("value", ["staging", "prod", "dev", ""])
def test_an_unknown_environment_is_refused_naming_the_choices(settings, value):
    with pytest.raises(ConfigError, match="PORTAL_ENV is .*; use one of: development, testing, production"):
        create_app({**settings, "ENV": value})


def test_an_unknown_environment_is_one_line_from_the_server_and_the_flask_command(tmp_path):
    for command in [(), ("-m", "flask", "--app", "wsgi", "init-db")]:
        line = refused_with_one_line(start({"PORTAL_ENV": "staging"}, tmp_path, *command))
        assert "PORTAL_ENV is 'staging'; use one of: development, testing, production." in line


# --- SELF_ID_KEY ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("env", ["production", "development", "testing"])
@pytest.mark.parametrize(
    "key",
    ["y" * 44, "not base64, but long enough!" * 2, Fernet.generate_key().decode()[:-4]],
    ids=["44-letters", "not-base64", "truncated-key"],  # fixed ids: a random key in an id differs per process
)
def test_a_self_identification_key_that_cannot_encrypt_is_refused_everywhere(settings, env, key):
    with pytest.raises(ConfigError, match="PORTAL_SELF_ID_KEY is not a valid key"):
        create_app({**settings, "ENV": env, "SELF_ID_KEY": key})


def test_the_self_identification_key_must_differ_from_the_secret_key(settings):
    key = Fernet.generate_key().decode()
    with pytest.raises(ConfigError, match="PORTAL_SELF_ID_KEY is the same as PORTAL_SECRET_KEY"):
        create_app({**settings, "SECRET_KEY": key, "SELF_ID_KEY": key})


def test_a_bad_self_identification_key_is_one_line_at_start(tmp_path):
    environment = {"PORTAL_ENV": "production", "PORTAL_SECRET_KEY": STRONG, "PORTAL_SELF_ID_KEY": "y" * 44}
    line = refused_with_one_line(start(environment, tmp_path))
    assert "PORTAL_SELF_ID_KEY is not a valid key" in line and "Fernet.generate_key()" in line


def test_the_development_defaults_still_start(settings):
    app = create_app({"DATABASE_URL": settings["DATABASE_URL"]})
    assert app.config["ENV"] == "development" and app.config["SELF_ID_KEY"] == DEV_SELF_ID_KEY


# --- a guessable SECRET_KEY -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "secret",
    ["a" * 37, "x" * 40, "ab" * 20, "passwordpasswordpasswordpassword", "abcdefgh" * 5, "0123456789" * 4],
)
def test_a_long_but_predictable_secret_key_is_refused_in_production(settings, secret):
    with pytest.raises(ConfigError, match="PORTAL_SECRET_KEY is too predictable"):
        create_app({**settings, "SECRET_KEY": secret})


def test_a_predictable_secret_key_is_one_line_at_start(tmp_path):
    environment = {"PORTAL_ENV": "production", "PORTAL_SECRET_KEY": "a" * 37, "PORTAL_SELF_ID_KEY": SELF_ID}
    line = refused_with_one_line(start(environment, tmp_path))
    assert "PORTAL_SECRET_KEY is too predictable" in line and "token_urlsafe(48)" in line


@pytest.mark.parametrize("make", [lambda: secrets.token_urlsafe(48), lambda: secrets.token_hex(32)])
def test_random_secret_keys_the_readme_suggests_start(settings, make):
    for _ in range(50):
        assert create_app({**settings, "SECRET_KEY": make()}).config["ENV"] == "production"


def test_production_with_real_settings_starts(tmp_path):
    environment = {"PORTAL_ENV": "production", "PORTAL_SECRET_KEY": STRONG, "PORTAL_SELF_ID_KEY": SELF_ID}
    result = start(environment, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "started" in result.stdout
