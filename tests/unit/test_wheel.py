"""The wheel is complete on its own: built from this checkout, installed into a fresh
virtualenv outside it, it migrates a database and serves pages, static files and Chinese.

Slow (a virtualenv and ~50 packages, from pip's cache after `make test` has installed the
same locked versions), so it runs once per CI run: on the SQLite pass only.
"""
from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import POSTGRES_URL

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [
    pytest.mark.wheel, pytest.mark.xdist_group("wheel"),
    pytest.mark.skipif(bool(POSTGRES_URL), reason="packaging does not depend on the "
                       "database: the wheel is tested once, on the SQLite pass"),
]


def run(*command: str | Path, cwd: Path, env: dict | None = None, timeout: int = 300) -> str:
    result = subprocess.run([str(part) for part in command], cwd=cwd, env=env, text=True,
                            capture_output=True, timeout=timeout)
    assert result.returncode == 0, f"{command}\n{result.stdout}\n{result.stderr}"
    return result.stdout + result.stderr


def fetch(url: str, **headers: str) -> tuple[int, str]:
    request = urllib.request.Request(url, headers=headers)
    with urllib.request.urlopen(request, timeout=10) as response:  # loopback only
        return response.status, response.read().decode()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def copy_source(target: Path) -> Path:
    """The files a clean clone has, copied: setuptools builds in the source folder (build/,
    *.egg-info), and a build sharing the checkout's build/ with anything else can zip a
    half-emptied tree, a wheel of metadata only."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others",
                             "--exclude-standard"], cwd=ROOT, capture_output=True)
    if listed.returncode != 0:  # not a git checkout (an unpacked archive): all but the local
        shutil.copytree(ROOT, target, ignore=shutil.ignore_patterns(
            ".git", ".venv", "build", "*.egg-info", "__pycache__", "instance", "data",
            "screenshots", ".pytest_cache", ".ruff_cache", "*.mo"))
        return target
    for name in filter(None, listed.stdout.decode().split("\0")):
        path = ROOT / name
        if path.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target / name)
    return target


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> dict:
    """Build the wheel with the build tools of the test environment (locked), then install
    it with the runtime lock file into a fresh virtualenv in a temporary folder."""
    base = tmp_path_factory.mktemp("wheel")
    dist = base / "dist"
    source = copy_source(base / "source")
    output = run(sys.executable, "-m", "pip", "wheel", "--verbose", "--no-deps",
                 "--no-build-isolation", "--wheel-dir", dist, source, cwd=base)
    # setuptools' own warnings fail the build; pip's notes on this machine's index set-up
    # and the byte-compiling note (the installer compiles) do not
    warnings = [line for line in output.lower().splitlines() if "warning" in line
                and "byte-compiling is disabled" not in line and "location '" not in line]
    assert not warnings, output
    [wheel] = dist.glob("ideaboard-*.whl")
    venv = base / "venv"
    run(sys.executable, "-m", "venv", venv, cwd=base)
    pip = venv / "bin" / "pip"
    run(pip, "install", "--quiet", "--require-hashes", "-r", ROOT / "requirements.txt",
        cwd=base, timeout=600)
    run(pip, "install", "--quiet", "--no-deps", "--no-index", wheel, cwd=base)
    run(pip, "check", cwd=base)
    workdir = base / "site"
    workdir.mkdir()
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("IDEABOARD_", "PYTHON", "VIRTUAL_ENV", "FLASK_"))
           and key != "DATABASE_URL"}
    env.update({"IDEABOARD_INSTANCE_PATH": str(base / "instance"),
                "IDEABOARD_SECRET_KEY": "wheel-test-secret-key-0123456789abcdef",
                "IDEABOARD_ENV_NAME": "production", "IDEABOARD_LOG_FORMAT": "json",
                "PATH": f"{venv / 'bin'}:{env.get('PATH', '')}"})
    return {"venv": venv, "cwd": workdir, "env": env, "wheel": wheel, "build_log": output}


def test_the_wheel_carries_everything_the_app_needs(installed):
    import zipfile

    names = set(zipfile.ZipFile(installed["wheel"]).namelist())
    assert "ideaboard/__init__.py" in names, (sorted(names), installed["build_log"][-6000:])
    for folder in ("templates", "static"):
        for path in (ROOT / folder).rglob("*"):
            if path.is_file():
                assert f"ideaboard/{path.relative_to(ROOT).as_posix()}" in names, path
    assert "ideaboard/translations/zh/LC_MESSAGES/messages.mo" in names
    assert "ideaboard/migrations/versions/0011_identity.py" in names
    assert "ideaboard/migrations/alembic.ini" in names


def test_installed_outside_the_checkout_it_migrates_and_serves(installed):
    venv, cwd, env = installed["venv"], installed["cwd"], installed["env"]
    location = run(venv / "bin" / "python", "-c", "import ideaboard; print(ideaboard.__file__)",
                   cwd=cwd, env=env)
    assert str(venv) in location and str(ROOT) not in location
    # The extras work on a runtime install: Redis storage for the rate limits.
    run(venv / "bin" / "python", "-c", "from limits.storage import storage_from_string; "
        "storage_from_string('redis://127.0.0.1:1/0'); import psycopg", cwd=cwd, env=env)

    run(venv / "bin" / "flask", "--app", "ideaboard", "db", "upgrade", cwd=cwd, env=env)

    port = free_port()
    server = subprocess.Popen(
        [venv / "bin" / "gunicorn", "-c", "python:ideaboard.gunicorn_conf", "--bind",
         f"127.0.0.1:{port}", "--workers", "1", "ideaboard.wsgi:app"],
        cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                status, body = fetch(base + "/readyz")
                break
            except OSError:
                assert server.poll() is None, server.stderr.read()
                assert time.monotonic() < deadline, "gunicorn did not answer"
                time.sleep(0.2)
        assert (status, '"migrations":"ok"' in body) == (200, True)

        status, home = fetch(base + "/", **{"Accept-Language": "en"})
        assert status == 200 and "Ideaboard" in home
        status, css = fetch(base + "/static/css/app.css")
        assert status == 200 and css == (ROOT / "static" / "css" / "app.css").read_text()
        status, chinese = fetch(base + "/login", **{"Accept-Language": "zh-CN,zh;q=0.9"})
        assert status == 200 and 'lang="zh-Hans"' in chinese and "登录" in chinese
    finally:
        server.terminate()
        _out, errors = server.communicate(timeout=30)
    # gunicorn's own lines and the app's alike: one JSON object each, and a request line with
    # the route pattern for every page fetched above.
    records = [json.loads(line) for line in errors.splitlines() if line.strip()]
    assert any(r.get("logger", "").startswith("gunicorn") for r in records)
    routes = {r.get("route") for r in records if r.get("logger") == "ideaboard.requests"}
    assert {"/readyz", "/", "/login"} <= routes
