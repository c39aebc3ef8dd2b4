"""Why a warehouse cannot be opened: raised by the file backend (warehouse/connection.py)
and the lake backend (warehouse/backend.py), caught by the CLI."""

from __future__ import annotations


class WarehouseUnreadable(RuntimeError):
    """The published warehouse file is not a DuckDB database this DuckDB can open (or a folder)."""


class WarehouseTooNew(WarehouseUnreadable):
    """The warehouse is in a DuckDB storage version this DuckDB cannot read (e.g. written by
    DuckDB 2): the message says which and how to convert it."""
