"""How a batch is cut into pieces of work for the worker processes, and how much of a long
text is parsed: pure functions of the articles' lengths."""

from __future__ import annotations

from transforms.extract import Article

# A worker's start (spawn, import spaCy, load the model) costs about as much CPU as parsing
# this many characters: a batch is split over more workers only when each gets more.
WORKER_CHARS = 100_000


def chunked(
    articles: list[Article], n_process: int, nlp_batch_size: int, max_article_chars: int | None = None
) -> list[list[Article]]:
    """Split a batch into pieces of work for `n_process` workers: two `nlp.pipe` batches
    each (full minibatches), fewer when that would leave a worker without two pieces, so
    that the workers finish a batch together rather than one idling behind a straggler.
    Pieces are also bounded by characters (what parsing costs): a piece holds at most a
    (2 x n_process)th of the batch's text, so a 1 MB article is a piece of its own rather
    than the straggler of a piece of six."""
    size = max(1, min(2 * nlp_batch_size, -(-len(articles) // (2 * max(1, n_process)))))
    weights = [weight(a, max_article_chars) for a in articles]
    budget = max(1, -(-sum(weights) // (2 * max(1, n_process))))
    pieces: list[list[Article]] = []
    piece: list[Article] = []
    chars = 0
    for article, w in zip(articles, weights, strict=True):
        if piece and (len(piece) >= size or chars + w > budget):
            pieces.append(piece)
            piece, chars = [], 0
        piece.append(article)
        chars += w
    if piece:
        pieces.append(piece)
    return pieces


def weight(article: Article, max_article_chars: int | None) -> int:
    """Characters of the article that will be parsed (parse_text: same length as text)."""
    n = len(article.clean.text)
    return n if max_article_chars is None else min(n, article.clean.body_offset + max_article_chars)


def useful_workers(articles: list[Article], n_process: int) -> int:
    """How many of the pool's workers a batch keeps busy enough to be worth starting."""
    chars = sum(len(a.clean.text) for a in articles)  # parse_text: same length, but truecases
    return max(1, min(n_process, 1 + chars // WORKER_CHARS))


def limited(text: str, limit: int) -> str:
    """At most `limit` characters, cut at a paragraph break or space when there is one."""
    if len(text) <= limit:
        return text
    cut = text.rfind("\n\n", 0, limit)
    if cut < limit // 2:
        cut = text.rfind(" ", 0, limit)
    return text[: cut if cut > 0 else limit]
