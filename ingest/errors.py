"""The one exception the ingest stage raises for bad input."""

from __future__ import annotations


class IngestError(Exception):
    """A one-line, user-facing reason a source could not be ingested (never a traceback)."""
