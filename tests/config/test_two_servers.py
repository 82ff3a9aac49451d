"""Two gunicorn servers over one PostgreSQL and one Redis behave as one (bench/two_servers.py):
no lost autosave, no lost or surviving session, no stale bank page after load_questions."""

import subprocess
import sys

import pytest

from bench.servers import ROOT
from bench.two_servers import skip_reason

pytestmark = pytest.mark.servers


def test_two_app_servers_behave_as_one():
    reason = skip_reason()
    if reason:
        pytest.skip(f"two app servers: {reason}")
    result = subprocess.run(
        [sys.executable, "-m", "bench.two_servers"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "every check passed" in result.stdout
