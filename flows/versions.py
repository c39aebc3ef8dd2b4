"""The versions a run records (pipeline_runs.code_version and model_version)."""

import subprocess

from transforms.extensions import extractor_entry_points
from transforms.model import NlpSpec, as_spec, kinds_version, ner_version

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


def model_version(spec: str | NlpSpec) -> str:
    """`name-version` of the installed spaCy model package, read from its metadata (without
    importing spaCy or loading the model: a run with nothing new never does), then the
    recogniser's weights when they are not the package's (`+ ner <sha256 prefix>`), the
    entity-kind classifier's (`+ kinds <sha256 prefix>`) and the installed extractors."""
    from importlib.metadata import PackageNotFoundError, version

    spec = as_spec(spec)
    try:
        name = f"{spec.model}-{version(spec.model)}"
    except (PackageNotFoundError, ValueError):  # a model given as a path has no package version
        name = f"{spec.model}-?"
    ner = ner_version(spec)
    if ner is not None:
        name += f" + {ner}"
    kinds = kinds_version()
    if kinds is not None:
        name += f" + {kinds}"
    extras = [ep.name for ep in extractor_entry_points()]
    return name + (f" + extractors {', '.join(extras)}" if extras else "")
