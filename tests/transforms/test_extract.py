import json

import pytest

from transforms.extract import content_hash


@pytest.mark.parametrize("n", [10, (1 << 20) - 1, 1 << 20, (1 << 20) + 1, 3 * (1 << 20) + 17])
def test_a_long_text_hashes_as_its_whole_json(n):
    """Hashed a piece at a time, a long text gives the bytes of its whole JSON encoding
    (stored hashes stay valid): quotes, backslashes, control and non-ASCII characters
    included, wherever the pieces split."""
    import hashlib

    unit = 'a"b\\c\nd\te\x01f é 中 😀 '
    text = (unit * (n // len(unit) + 1))[:n]
    meta = {"b": [1, "x"], "a": None}
    want = hashlib.sha256()
    for p in ("id", text, None, meta):
        want.update(json.dumps(p, sort_keys=True, default=str, ensure_ascii=False).encode("utf-8"))
        want.update(b"\x1f")
    assert content_hash("id", text, None, meta) == want.hexdigest()
