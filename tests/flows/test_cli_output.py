"""The CLI's error line (flows/cli/output.fail): one line on stderr, whatever the message."""

from __future__ import annotations

import pytest
import typer

from flows.cli import output


def test_an_error_of_several_lines_is_one_line(capsys):
    message = 'FatalException: database invalidated.\nOriginal error: "No space left on device"; resumes'
    with pytest.raises(typer.Exit) as stopped:
        output.fail(message, 1)
    assert stopped.value.exit_code == 1
    lines = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert lines == [
        'error: FatalException: database invalidated. Original error: "No space left on device"; resumes'
    ]
