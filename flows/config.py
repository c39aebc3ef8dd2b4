"""Configured sources: `sources.yaml`, a list of named sources the nightly flow reads.

```yaml
sources:
  - name: example-tech            # names the source in `articles.source` and in counts
    kind: feed                    # feed | page | folder | jsonl | file | a plugin's kind
    location: https://example.com/tech/rss.xml
    schedule: nightly             # optional tag: `newsetl run --schedule nightly` reads only these
    options: {}                   # optional, passed to the source kind
  - name: wire-archive
    kind: folder
    location: data/wire            # relative paths are relative to the YAML file
```

`NEWSETL_SOURCES` (or `--source`) may name such a file; any other entry is a location read
by its type (file, folder, URL, or `KIND:LOCATION`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from flows.sources import is_url

KNOWN_KEYS = {"name", "kind", "location", "schedule", "options"}


@dataclass(frozen=True)
class SourceSpec:
    name: str | None  # None: named by what it reads (a folder's name, a feed's title)
    location: str
    kind: str | None = None  # None: by the location (extension, URL, KIND: prefix)
    schedule: str | None = None
    options: dict = field(default_factory=dict)

    @property
    def label(self) -> str:
        return self.name or self.location


def is_config(entry: str) -> bool:
    return str(entry).endswith((".yaml", ".yml"))


def load_sources_file(path: str | Path) -> list[SourceSpec]:
    """The sources a YAML file lists; raises ValueError with the file and entry at fault."""
    p = Path(path)
    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ValueError(f"{p}: cannot read sources file: {exc}") from exc
    entries = data.get("sources") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise ValueError(f"{p}: expected a mapping with a 'sources' list")
    specs, names = [], set()
    for i, e in enumerate(entries, 1):
        if not isinstance(e, dict) or not e.get("location"):
            raise ValueError(f"{p}: source {i} needs at least a 'location'")
        unknown = set(e) - KNOWN_KEYS
        if unknown:
            raise ValueError(f"{p}: source {i} has unknown keys {sorted(unknown)}")
        loc = str(e["location"])
        if not is_url(loc) and ":" not in loc[:12] and not Path(loc).is_absolute():
            loc = str((p.parent / loc).resolve())
        name = e.get("name")
        if name in names:
            raise ValueError(f"{p}: source name {name!r} is used twice")
        names.add(name)
        opts = e.get("options") or {}
        if not isinstance(opts, dict):
            raise ValueError(f"{p}: source {i}: 'options' must be a mapping")
        specs.append(SourceSpec(name, loc, e.get("kind"), e.get("schedule"), opts))
    return specs


def resolve_sources(entries: list[str], schedule: str | None = None) -> list[SourceSpec]:
    """The sources to read: YAML files expanded, other entries as they are."""
    out: list[SourceSpec] = []
    for entry in entries:
        if is_config(entry):
            out += [s for s in load_sources_file(entry) if schedule is None or s.schedule == schedule]
        else:
            out.append(SourceSpec(None, str(entry)))
    return out
