"""Data shown to people is data, not markup: control characters escaped (no terminal
escape sequence reaches a console), Markdown special characters escaped (a title or an
error cannot make a link, an image or HTML in the run-summary artifact)."""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # all but \t and \n
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~&])")
_TICKS = re.compile(r"`+")


def escape_controls(text: str) -> str:
    """`text` with control characters (ESC, NUL, C1 ...) written as `\\xNN` escapes."""
    return _CONTROL.sub(lambda m: repr(m.group())[1:-1], text)


def md_text(value: object) -> str:
    """A value as literal Markdown text (one line: newlines become spaces)."""
    text = escape_controls(str(value)).replace("\n", " ").replace("\t", " ")
    return _MD_SPECIAL.sub(r"\\\1", text)


def md_code(value: object) -> str:
    """A value as a Markdown code span, whatever backticks it holds."""
    text = escape_controls(str(value)).replace("\n", " ")
    fence = "`" * (max((len(t) for t in _TICKS.findall(text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"
