"""Compile .po catalogues to .mo without GNU gettext (a fallback for machines without msgfmt).

``make setup`` uses Django's compilemessages when msgfmt is installed and this
otherwise: ``python -m workflow.web.translations``. polib writes the same .mo
as msgfmt: translated entries only (fuzzy and obsolete ones are left out).
"""

from __future__ import annotations

import sys
from pathlib import Path

import polib


def compile_po(po_path: Path, mo_path: Path) -> None:
    polib.pofile(str(po_path)).save_as_mofile(str(mo_path))


def main(root: Path) -> None:
    for po in sorted(root.glob("locale/*/LC_MESSAGES/*.po")):
        compile_po(po, po.with_suffix(".mo"))


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path.cwd())
