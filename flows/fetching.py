"""Temporary (#15): flows/nightly.py still imports these from here; it moves to
`from flows.sources import ...` and this module goes. Everything else imports flows.sources."""

from flows.sources import Fetcher, FetchError, HttpOptions, Response

__all__ = ["FetchError", "Fetcher", "HttpOptions", "Response"]
