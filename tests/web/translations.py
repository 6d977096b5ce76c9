"""Compile the translation catalogues for tests that read English pages (make setup does this too)."""

from __future__ import annotations

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def ensure_compiled_translations() -> None:
    stale = [
        po
        for po in (ROOT / "locale").glob("*/LC_MESSAGES/*.po")
        if not po.with_suffix(".mo").exists() or po.with_suffix(".mo").stat().st_mtime < po.stat().st_mtime
    ]
    if not stale:
        return
    if shutil.which("msgfmt"):
        from django.core.management import call_command

        call_command("compilemessages", locale=sorted({p.parts[-3] for p in stale}), verbosity=0)
    else:
        from workflow.web.translations import compile_po

        for po in stale:
            compile_po(po, po.with_suffix(".mo"))
    from django.utils.translation import trans_real

    # Catalogues already loaded in this process would hide the new .mo files.
    trans_real._translations = {}
    trans_real._default = None
