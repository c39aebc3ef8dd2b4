"""Extension points of the NLP side, discovered through Python entry points.

`newsetl.extractors`: `name = "module:configure"`, where `configure(nlp: Language) -> None`
adds spaCy components (entity rulers, span rules, a custom NER...) to newsetl's pipeline
after its own. Their entities flow into `entities`, `entity_mentions` and, as doers and
targets, `actions`. Installed packages declare them in their metadata; see
docs/extending.md. (Source kinds are the `newsetl.sources` group, in flows/sources/registry.py.)
"""

from __future__ import annotations

from importlib.metadata import EntryPoint, entry_points

EXTRACTORS_ENTRY_POINT_GROUP = "newsetl.extractors"


def extractor_entry_points() -> list[EntryPoint]:
    """Installed extractors, in name order (the same order in every process)."""
    return sorted(entry_points(group=EXTRACTORS_ENTRY_POINT_GROUP), key=lambda ep: ep.name)
