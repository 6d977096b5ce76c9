"""Compile .po catalogues to .mo without GNU gettext (a fallback for machines without msgfmt).

``make setup`` uses Django's compilemessages when msgfmt is installed and this
otherwise: ``python -m workflow.translations``. It understands what our
catalogues use: msgctxt, plurals, multi-line strings, fuzzy entries (skipped).
"""

from __future__ import annotations

import ast
import struct
import sys
from pathlib import Path


def _parse(po_path: Path) -> dict[bytes, bytes]:
    messages: dict[bytes, bytes] = {}
    entry: dict[str, object] = {}
    section = None
    fuzzy = False

    def flush() -> None:
        nonlocal entry, fuzzy
        if "msgid" in entry and not fuzzy:
            msgid = entry["msgid"]
            ctxt = entry.get("msgctxt")
            if "msgid_plural" in entry:
                key = msgid + "\0" + entry["msgid_plural"]
                forms = [entry["msgstr"][i] for i in sorted(entry["msgstr"])]
                value = "\0".join(forms)
            else:
                key = msgid
                value = entry.get("msgstr", "")
            if ctxt is not None:
                key = ctxt + "\x04" + key
            if value.replace("\0", "") or key == "":
                messages[key.encode("utf-8")] = value.encode("utf-8")
        entry = {}
        fuzzy = False

    for raw in po_path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line.startswith("#,") and "fuzzy" in line:
            if section == "msgstr":
                flush()
                section = None
            fuzzy = True
            continue
        if not line or line.startswith("#"):
            if section == "msgstr" and not line:
                flush()
                section = None
            continue
        if line.startswith("msgctxt"):
            if section == "msgstr":
                flush()
            section = "msgctxt"
            entry["msgctxt"] = ast.literal_eval(line[7:].strip())
        elif line.startswith("msgid_plural"):
            section = "msgid_plural"
            entry["msgid_plural"] = ast.literal_eval(line[12:].strip())
        elif line.startswith("msgid"):
            if section == "msgstr":
                flush()
            section = "msgid"
            entry["msgid"] = ast.literal_eval(line[5:].strip())
        elif line.startswith("msgstr["):
            index = int(line[7 : line.index("]")])
            section = "msgstr"
            entry.setdefault("msgstr", {})
            entry["msgstr"][index] = ast.literal_eval(line[line.index("]") + 1 :].strip())
            entry["_last_plural"] = index
        elif line.startswith("msgstr"):
            section = "msgstr"
            entry["msgstr"] = ast.literal_eval(line[6:].strip())
        elif line.startswith('"'):
            text = ast.literal_eval(line)
            if section == "msgstr" and isinstance(entry.get("msgstr"), dict):
                entry["msgstr"][entry["_last_plural"]] += text
            elif section:
                entry[section] += text
    if section == "msgstr":
        flush()
    return messages


def compile_po(po_path: Path, mo_path: Path) -> None:
    messages = _parse(po_path)
    keys = sorted(messages)
    ids = strs = b""
    offsets = []
    for key in keys:
        offsets.append((len(ids), len(key), len(strs), len(messages[key])))
        ids += key + b"\0"
        strs += messages[key] + b"\0"
    count = len(keys)
    keystart = 7 * 4 + 16 * count
    valuestart = keystart + len(ids)
    koffsets, voffsets = [], []
    for id_offset, id_len, str_offset, str_len in offsets:
        koffsets += [id_len, id_offset + keystart]
        voffsets += [str_len, str_offset + valuestart]
    output = struct.pack("Iiiiiii", 0x950412DE, 0, count, 7 * 4, 7 * 4 + count * 8, 0, 0)
    output += struct.pack(f"{len(koffsets)}i", *koffsets) + struct.pack(f"{len(voffsets)}i", *voffsets)
    mo_path.write_bytes(output + ids + strs)


def main(root: Path) -> None:
    for po in sorted(root.glob("locale/*/LC_MESSAGES/*.po")):
        compile_po(po, po.with_suffix(".mo"))


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path.cwd())
