"""The entity-kind classifier: one label per name per article, decided from everything the
article says about it (transforms/entity_features.py), or no entity at all.

A multinomial logistic regression over the features, learned by `make model`
(training/entity_kinds.py) from newsetl's annotated news (training/data/), with each
article's clusters as the recogniser that had *not* seen that article would give them.
Its weights and lexicons are in transforms/model/entity_kinds/ (`weights.json`, the corpus
word-case table `word_case.json`, the given names `given_names.json`, and `training.json`:
data, settings, scores, hash).

Labels: ORG, PERSON, GPE, PRODUCT, or NONE (not an entity: "Budget", "Broadband" opening a
sentence, a nationality, an event). The classifier reads features only: no name of any
article is written in it.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from transforms.entity_features import Article, Cluster, Lexicons, cluster_features

if TYPE_CHECKING:
    from spacy.tokens import Doc

KINDS_DIR = Path(__file__).resolve().parent / "model" / "entity_kinds"
NONE = "NONE"
LABELS = ("ORG", "PERSON", "GPE", "PRODUCT", NONE)


@dataclass(frozen=True)
class KindModel:
    labels: tuple[str, ...]
    bias: tuple[float, ...]
    weights: Mapping[str, tuple[float, ...]]
    lexicons: Lexicons

    def scores(self, features: Mapping[str, float]) -> dict[str, float]:
        """Each label's probability given the features."""
        z = list(self.bias)
        for name, value in features.items():
            w = self.weights.get(name)
            if w is not None:
                for i, x in enumerate(w):
                    z[i] += x * value
        top = max(z)
        e = [math.exp(x - top) for x in z]
        total = sum(e)
        return {lab: x / total for lab, x in zip(self.labels, e, strict=True)}

    def predict(self, features: Mapping[str, float]) -> str:
        s = self.scores(features)
        return max(s, key=lambda lab: s[lab])


def read_word_case(folder: Path) -> dict[str, str]:
    """How the news corpora write each word (lower case): "lower" or "mixed"; a word not
    in the table reads as a name. Empty when `make model` has not written the table."""
    if not (folder / "word_case.json").is_file():
        return {}
    data = json.loads((folder / "word_case.json").read_text(encoding="utf-8"))
    return {w: bucket for bucket, words in data["buckets"].items() for w in words}


def read_lexicons(folder: Path) -> Lexicons:
    """The word-case table and the given names written to `folder` (empty when absent)."""
    names = folder / "given_names.json"
    given = json.loads(names.read_text(encoding="utf-8"))["given_names"] if names.is_file() else []
    return Lexicons(word_case=read_word_case(folder), given_names=frozenset(given))


def ordinary_words() -> Mapping[str, str]:
    """The words the news corpora write in lower case (the shipped classifier's word-case
    table: "Post", "Bank", "As", "PC" are ordinary words; empty without the classifier)."""
    model = load_model()
    return model.lexicons.word_case if model is not None else {}


@lru_cache(maxsize=4)
def load_model(folder: Path = KINDS_DIR) -> KindModel | None:
    """The classifier written to `folder`, None when there is none."""
    if not (folder / "weights.json").is_file():
        return None
    data = json.loads((folder / "weights.json").read_text(encoding="utf-8"))
    return KindModel(
        labels=tuple(data["labels"]),
        bias=tuple(data["bias"]),
        weights={k: tuple(v) for k, v in data["weights"].items()},
        lexicons=read_lexicons(folder),
    )


def decide_kinds(
    clusters: Mapping[str, Cluster], doc: Doc, rules: Mapping[tuple[int, int], str], model: KindModel
) -> dict[str, str]:
    """Each cluster's label by the classifier (NONE: no entity), by key."""
    article = Article(doc, rules)
    return {key: model.predict(cluster_features(c, article, model.lexicons)) for key, c in clusters.items()}
