"""A guard around spaCy's tokenizer for runs of text no language has as one word.

spaCy's tokenizer peels prefixes and suffixes off each whitespace-delimited chunk one at a
time, so its cost grows with the square of a chunk made of punctuation: 20,000 quotation
marks or 10,000 opening brackets in a row take it about a minute (measured, issue 13). No
word of news is that long (the longest chunk without whitespace in BBC News and
Reuters-21578 is 61 characters), so a chunk of `LONG_CHUNK` characters or more is split
here, in linear time, into runs of at most `PIECE` word characters or other characters; the text
around it goes through spaCy's tokenizer as before. Texts without such a chunk are
tokenized by spaCy alone, unchanged.

Registered as the tokenizer `newsetl.GuardedTokenizer.v1` (spaCy's own inside), so a
pipeline saved with `nlp.to_disk` loads with its guard.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc
from spacy.util import registry

GUARDED_TOKENIZER = "newsetl.GuardedTokenizer.v1"

LONG_CHUNK = 256
_LONG = re.compile(rf"\S{{{LONG_CHUNK},}}")
PIECE = 64  # longest token the guard makes: a run of word characters or of other ones
_PIECE = re.compile(rf"\w{{1,{PIECE}}}|[^\w\s]{{1,{PIECE}}}")


class GuardedTokenizer:
    """Callable like a spaCy tokenizer (text -> Doc); wraps the pipeline's own."""

    def __init__(self, tokenizer: Tokenizer) -> None:
        self.tokenizer = tokenizer
        self.vocab = tokenizer.vocab

    def __call__(self, text: str) -> Doc:
        if _LONG.search(text) is None:
            doc: Doc = self.tokenizer(text)
            return doc
        parts: list[Doc] = []
        pos = 0
        for m in _LONG.finditer(text):
            if m.start() > pos:
                parts.append(self.tokenizer(text[pos : m.start()]))
            parts.append(self._split(m.group()))
            pos = m.end()
        if pos < len(text):
            parts.append(self.tokenizer(text[pos:]))
        return Doc.from_docs(parts, ensure_whitespace=False)

    def _split(self, chunk: str) -> Doc:
        words = _PIECE.findall(chunk)  # the chunk has no whitespace: the pieces are all of it
        return Doc(self.vocab, words=words, spaces=[False] * len(words))

    def pipe(self, texts: Iterable[str], batch_size: int = 1000) -> Iterator[Doc]:
        for text in texts:
            yield self(text)

    # spaCy saves and loads the tokenizer with the pipeline: delegate
    def to_bytes(self, **kwargs: Any) -> bytes:
        data: bytes = self.tokenizer.to_bytes(**kwargs)
        return data

    def from_bytes(self, data: bytes, **kwargs: Any) -> GuardedTokenizer:
        self.tokenizer.from_bytes(data, **kwargs)
        return self

    def to_disk(self, path: str | Path, **kwargs: Any) -> None:
        self.tokenizer.to_disk(path, **kwargs)

    def from_disk(self, path: str | Path, **kwargs: Any) -> GuardedTokenizer:
        self.tokenizer.from_disk(path, **kwargs)
        return self


def create_guarded_tokenizer() -> Callable[[Language], GuardedTokenizer]:
    """spaCy's default tokenizer for the language, guarded."""
    create = registry.tokenizers.get("spacy.Tokenizer.v1")()

    def make(nlp: Language) -> GuardedTokenizer:
        return GuardedTokenizer(create(nlp))

    return make


registry.tokenizers.register(GUARDED_TOKENIZER, func=create_guarded_tokenizer)
