"""What `newsetl run` starts before its first batch: the worker processes, warmed while
the run opens (the CLI's contract, `flows.pipeline.warm_workers`). The pool itself and
the batch's extraction are in flows.workers."""

from flows.workers import warm_workers

__all__ = ["warm_workers"]
