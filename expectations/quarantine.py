"""A quarantine row: what was rejected, where and why, keyed the same in every run."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4


def quarantine_row(
    run_id: str,
    *,
    source_path: str | None,
    external_id: str | None,
    stage: str,
    reason: str,
    raw: str | None,
    max_raw: int = 20_000,
) -> dict[str, Any]:
    """One quarantine row (raw input truncated to `max_raw` characters, with a marker).
    Its quarantine_key names what was rejected, the same in every run: sha256 of source
    path, external id, stage and sha256 of the stored raw, joined by U+001F
    (warehouse/migrations.py computes the same in SQL for rows stored before the key existed)."""

    if raw is not None and len(raw) > max_raw:
        raw = raw[:max_raw] + f"... [truncated, {len(raw)} characters in all]"

    def sha(text: str) -> str:
        return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()

    key = sha("\x1f".join((source_path or "", external_id or "", stage, sha(raw or ""))))
    return {
        "quarantine_id": str(uuid4()),
        "run_id": run_id,
        "source_path": source_path,
        "external_id": external_id,
        "stage": stage,
        "reason": reason,
        "raw": raw,
        "created_at": datetime.now(UTC).replace(tzinfo=None),
        "quarantine_key": key,
    }
