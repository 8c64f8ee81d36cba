"""Settings read from the environment; each case starts a fresh interpreter."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)

PRINT_SETTINGS = """
import json, django
from django.conf import settings
django.setup()
db = settings.DATABASES["default"]
print(json.dumps({
    "engine": db["ENGINE"], "name": str(db["NAME"]), "host": db.get("HOST", ""),
    "debug": settings.DEBUG, "ssl_redirect": settings.SECURE_SSL_REDIRECT,
    "hsts": settings.SECURE_HSTS_SECONDS, "session_secure": settings.SESSION_COOKIE_SECURE,
    "csrf_secure": settings.CSRF_COOKIE_SECURE, "time_zone": settings.TIME_ZONE,
    "language": settings.LANGUAGE_CODE, "cache": settings.CACHES["default"]["BACKEND"],
    "media_root": str(settings.MEDIA_ROOT),
}))
"""


def run_settings(**environment: str) -> subprocess.CompletedProcess:
    """Import the production settings in a new process with exactly these variables."""
    env = {"PATH": os.environ.get("PATH", ""), "ENV_FILE": "/nonexistent/.env"}
    env.update(environment)
    env["DJANGO_SETTINGS_MODULE"] = "shenhe_env.settings"
    return subprocess.run(
        [sys.executable, "-c", PRINT_SETTINGS],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def loaded(**environment: str) -> dict:
    result = run_settings(**environment)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_default_database_is_an_sqlite_file_in_the_project_folder():
    values = loaded(DEBUG="true")
    assert values["engine"] == "django.db.backends.sqlite3"
    assert Path(values["name"]) == BASE_DIR / "db.sqlite3"


def test_database_url_switches_to_postgresql():
    values = loaded(DEBUG="true", DATABASE_URL="postgres://shenhe:pw@db.example:5432/shenhe_prod")
    assert values["engine"] == "django.db.backends.postgresql"
    assert (values["name"], values["host"]) == ("shenhe_prod", "db.example")


def test_production_without_secret_key_refuses_to_start():
    result = run_settings(DEBUG="false")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_debug_is_off_unless_asked_for():
    result = run_settings()
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr, "without DEBUG the settings must behave as production"


@pytest.mark.parametrize("weak_key", ["django-insecure-shenhe-development-only", "short-key"])
def test_production_refuses_a_known_or_short_secret_key(weak_key):
    result = run_settings(DEBUG="false", SECRET_KEY=weak_key)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_turns_on_the_https_only_protections():
    values = loaded(DEBUG="false", SECRET_KEY="x" * 50)
    assert values["ssl_redirect"] is True
    assert values["hsts"] >= 31536000
    assert values["session_secure"] is True
    assert values["csrf_secure"] is True


def test_development_does_not_force_https():
    values = loaded(DEBUG="true")
    assert values["ssl_redirect"] is False
    assert values["session_secure"] is False


def test_locale_time_zone_cache_and_media_come_from_defaults_and_environment():
    values = loaded(DEBUG="true")
    assert (values["language"], values["time_zone"]) == ("zh-hans", "Asia/Shanghai")
    assert values["cache"] == "django.core.cache.backends.locmem.LocMemCache"
    values = loaded(DEBUG="true", CACHE_URL="redis://127.0.0.1:6379/1", MEDIA_ROOT="/srv/shenhe/media")
    assert values["cache"] == "django.core.cache.backends.redis.RedisCache"
    assert values["media_root"] == "/srv/shenhe/media"


@pytest.mark.django_db
def test_suite_runs_on_the_database_the_runner_asked_for():
    """CI sets EXPECT_DATABASE so that a mistyped DATABASE_URL cannot fall back to SQLite unnoticed."""
    from django.db import connection

    url = os.environ.get("DATABASE_URL", "")
    expected = os.environ.get("EXPECT_DATABASE") or ("postgresql" if url.startswith("postgres") else "sqlite")
    assert connection.vendor == expected
