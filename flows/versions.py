"""The code version a run records (pipeline_runs.code_version)."""

import subprocess

__version__ = "0.1.0"


def code_version() -> str:
    """`newsetl <version> (<git commit>)`, the commit when the checkout has one."""
    try:
        sha = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
            cwd=__file__.rsplit("/", 2)[0],
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        sha = ""
    return f"newsetl {__version__}" + (f" ({sha})" if sha else "")
