"""The developers' audit of extracted rows (issue #17): a seeded sample of `actions` (and
`quotes`) rows from unseen corpus articles, judged field by field; see README.md."""
