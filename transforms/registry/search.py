"""The search index: postings over article texts and action evidence, kept by loading
(warehouse/search_index.py) and ranked with BM25 by the `search_news` macro
(warehouse/macros.py). Each column is declared once here, with its meaning."""

from __future__ import annotations

from transforms.registry.columns import Column as C
from transforms.registry.columns import Table

SEARCH_WORDS = Table(
    "search_words",
    "one row per distinct word (token) ever indexed, and per stopword.",
    "The search vocabulary: each word as tokenized (lower case, accents stripped, digits and "
    "punctuation dropped: the fts extension's conventions) with its Porter stem, so the "
    "search_news macro stems a query without the extension. Stopwords (the fts extension's "
    "English list) have no term and are not indexed.",
    (
        C("word", "VARCHAR", "The word as tokenized.", "PRIMARY KEY"),
        C("term", "VARCHAR", "Its stem (fts `stem(word, 'porter')`); NULL for a stopword."),
        C("run_id", "VARCHAR", "Run that first indexed the word; NULL for a stopword (set by migration 11)."),
    ),
)

SEARCH_DOCS = Table(
    "search_docs",
    "one row per indexed text: a canonical article (title and body) or an action (its evidence).",
    "What the search index holds: each canonical article's title and body, and each action's evidence "
    "sentence, with its length in terms (BM25's document length). Copies (articles.duplicate_of) are "
    "not indexed. Replaced with their article when it is loaded again.",
    (
        C(
            "doc_id",
            "BIGINT",
            "Number of the indexed text, given in load order (search_terms.doc_id).",
            "PRIMARY KEY",
        ),
        C("kind", "VARCHAR", "'article' (title and body) or 'action' (its evidence sentence).", "NOT NULL"),
        C("article_id", "VARCHAR", "The article (articles.article_id).", "NOT NULL"),
        C("action_id", "VARCHAR", "The action (actions.action_id) for kind 'action'; NULL for an article."),
        C("length", "INTEGER", "Number of terms: words that are no stopword, repeats counted.", "NOT NULL"),
        C("run_id", "VARCHAR", "Run that loaded the article (articles.run_id).", "NOT NULL"),
    ),
    key_index=False,
)

SEARCH_TERMS = Table(
    "search_terms",
    "one row per term per indexed text.",
    "Postings of the search index: how often each term (a stem, search_words.term) occurs in each "
    "indexed text (search_docs).",
    (
        C("term", "VARCHAR", "The term: a word's Porter stem.", "NOT NULL"),
        C("doc_id", "BIGINT", "The indexed text (search_docs.doc_id).", "NOT NULL"),
        C("tf", "INTEGER", "Term frequency: how many of the text's words have this stem.", "NOT NULL"),
        C("run_id", "VARCHAR", "Run that loaded the article (articles.run_id).", "NOT NULL"),
    ),
)
