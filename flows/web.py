"""Temporary (#15): flows/nightly.py still imports these from here; it moves to
`from flows.sources import ...` and this module goes. Everything else imports flows.sources."""

from flows.sources import AlreadyLoaded, WebState, web_source

__all__ = ["AlreadyLoaded", "WebState", "web_source"]
