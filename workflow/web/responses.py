"""Responses every face shares."""

from __future__ import annotations

from django.http import FileResponse


def pdf_response(file, filename: str) -> FileResponse:
    """A stored PDF as a download that no shared cache keeps: the record is private to the parties."""
    response = FileResponse(file.open("rb"), content_type="application/pdf", as_attachment=True, filename=filename)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
