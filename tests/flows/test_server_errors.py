"""What a user sees when a local Prefect server cannot start: one line naming the setting."""

from __future__ import annotations

import socket
import subprocess

import pytest

from tests.conftest import ROOT
from tests.flows.test_routes import clean_env, newsetl

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("command", ["server", "serve"])
def test_a_taken_port_is_one_line_naming_the_setting(tmp_path, command):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        res = subprocess.run(
            newsetl(command),
            env=clean_env(tmp_path / "home", NEWSETL_PREFECT_PORT=str(port)),
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
        )
    assert res.returncode == 1, res.stdout + res.stderr
    assert "Traceback" not in res.stdout + res.stderr
    [line] = [x for x in res.stderr.splitlines() if x.strip()]
    assert line.startswith("error: ") and f"port {port}: NEWSETL_PREFECT_PORT" in line
    assert not (tmp_path / "home" / "newsetl-server.json").exists()
