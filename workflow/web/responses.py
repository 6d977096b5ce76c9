"""Responses every face shares."""

from __future__ import annotations

from django.http import FileResponse


def pdf_response(file, filename: str, *, content_type: str = "application/pdf") -> FileResponse:
    """A stored PDF (or the dossier's ZIP) as a download that no shared cache keeps: the record is private."""
    response = FileResponse(file.open("rb"), content_type=content_type, as_attachment=True, filename=filename)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
