"""What an IT team installs from: `.env.example` in step with config.py, and systemd units
that `systemd-analyze verify` accepts."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ideaboard.config import DefaultConfig, env_example

ROOT = Path(__file__).resolve().parents[2]
UNITS = ROOT / "deploy" / "systemd"
INSTALL_PREFIX = "/opt/ideaboard/venv"  # where README's deployment puts the virtualenv


def test_env_example_lists_every_setting_with_its_default():
    expected = env_example()
    assert (ROOT / ".env.example").read_text() == expected, (
        "`.env.example` is out of step with ideaboard/config.py: regenerate it with "
        "`python -m ideaboard.config > .env.example`")
    names = {name for name in vars(DefaultConfig) if name.isupper()}
    listed = set(re.findall(r"^#IDEABOARD_([A-Z0-9_]+)=", expected, re.MULTILINE))
    assert listed == names
    assert "#IDEABOARD_OIDC_ISSUER=" in expected and "#IDEABOARD_PROXY_FIX_HOPS=0" in expected


def test_every_setting_says_what_it_is_for():
    undocumented = [line for line in env_example().splitlines()[5:]
                    if line.startswith("#IDEABOARD_")]
    text = env_example().splitlines()
    lacking = [line for index, line in enumerate(text)
               if line.startswith("#IDEABOARD_") and not text[index - 1].startswith("# ")]
    assert undocumented and not lacking, lacking


def test_the_units_pass_systemd_analyze_verify(tmp_path):
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        if os.environ.get("CI"):
            pytest.fail("CI must install systemd (systemd-analyze): see .ci/run")
        pytest.skip("systemd-analyze is not installed (apt-get install systemd)")
    units = sorted(UNITS.glob("ideaboard-*"))
    assert {unit.name for unit in units} >= {
        "ideaboard-web.service", "ideaboard-mail.service", "ideaboard-scheduled.service",
        "ideaboard-scheduled.timer"}
    # The units name the install prefix; here the virtualenv running the tests stands in.
    for unit in units:
        (tmp_path / unit.name).write_text(unit.read_text().replace(INSTALL_PREFIX, sys.prefix))
    result = subprocess.run([analyze, "verify", *sorted(map(str, tmp_path.iterdir()))],
                            capture_output=True, text=True, timeout=60,
                            env={**os.environ, "SYSTEMD_LOG_LEVEL": "notice"})
    assert result.returncode == 0 and not result.stderr.strip(), result.stderr
