"""The snapshot source for tests: records given as dicts, read as a file's would be."""

from __future__ import annotations

from flows.sources.records import ChunkRef, Item, record_from_dict


class MemorySource:
    """A snapshot source for tests: records given as dicts."""

    def __init__(self, records: list[dict], name: str = "memory"):
        self.records = records
        self.name = name

    def estimate(self) -> int:
        return len(self.records)

    def chunks(self) -> list[ChunkRef]:
        return [ChunkRef(self.name, self.name, "memory")]

    def read(self, ref: ChunkRef) -> tuple[list[Item], ChunkRef | None]:
        return [
            record_from_dict(r, source_path=self.name, default_source=self.name, where=f"record {i + 1}")
            for i, r in enumerate(self.records)
        ], None
