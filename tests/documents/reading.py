"""Reading a PDF back: its text and its page images with Python libraries, and poppler's view as an extra check.

The main assertions use pypdf (text) and pypdfium2 (page images), which
`make test` installs, so they run on any machine. The poppler functions call
pdftotext, pdftoppm and pdfsig; a test that uses them is marked
``pytest.mark.program(...)`` and skips where poppler-utils is missing (fails
under REQUIRE_SERVICES=1, as in CI).
"""

from __future__ import annotations

import io
import re
import subprocess
from pathlib import Path

# Page images are made at this resolution (an A4 page becomes 662 x 936 pixels).
DPI = 80


def pdf_reader(data: bytes):
    from pypdf import PdfReader

    return PdfReader(io.BytesIO(data))


def page_texts(data: bytes) -> list[str]:
    """The text of each page, in content order (pypdf)."""
    return [page.extract_text() for page in pdf_reader(data).pages]


def pdf_text(data: bytes) -> str:
    """The text of the whole document (pypdf)."""
    return "\n".join(page_texts(data))


def flat(text: str) -> str:
    """Runs of white space (line breaks inside a table cell or a paragraph) as one space."""
    return re.sub(r"\s+", " ", text)


def page_image(data: bytes, number: int, path: Path):
    """Page ``number`` (from 1) rendered by PDFium, saved as PNG at ``path``; returns the Pillow image."""
    import pypdfium2

    document = pypdfium2.PdfDocument(data)
    try:
        image = document[number - 1].render(scale=DPI / 72).to_pil()
    finally:
        document.close()
    image.save(path)
    return image


def ink(image) -> float:
    """The share of the image's pixels that are clearly darker than the white paper (0 for a blank page)."""
    histogram = image.convert("L").histogram()
    return sum(histogram[:200]) / sum(histogram)


def assert_a4_page_with_content(image) -> None:
    width, height = image.size
    assert (round(width * 25.4 / DPI), round(height * 25.4 / DPI)) == (210, 297), image.size
    share = ink(image)
    assert 0.01 < share < 0.5, f"{share:.1%} of the page is ink: blank or garbled"


# --- poppler-utils: an independent second reader -------------------------------------------------


def _poppler(args: list[str]) -> subprocess.CompletedProcess:
    result = subprocess.run(args, capture_output=True, text=True)
    assert result.returncode == 0, f"{args[0]} exited {result.returncode}: {result.stderr}"
    assert "Error" not in result.stderr, f"{args[0]} complains about the file: {result.stderr}"
    return result


def poppler_text(path: Path, *, page: int | None = None, mode: str = "-raw") -> str:
    """The text pdftotext reads (-raw: content order; -layout: as laid out), of one page or the whole file."""
    pages = ["-f", str(page), "-l", str(page)] if page else []
    return _poppler(["pdftotext", mode, *pages, str(path), "-"]).stdout


def poppler_page_texts(path: Path) -> list[str]:
    count = len(pdf_reader(path.read_bytes()).pages)
    return [poppler_text(path, page=n, mode="-layout") for n in range(1, count + 1)]


def poppler_image(path: Path, number: int, target: Path):
    """Page ``number`` rendered by pdftoppm into ``target`` (a .png path); returns the Pillow image."""
    from PIL import Image

    pages = ["-f", str(number), "-l", str(number)]
    _poppler(["pdftoppm", "-png", "-r", str(DPI), "-singlefile", *pages, str(path), str(target.with_suffix(""))])
    return Image.open(target)


def pdfsig(path: Path) -> str:
    """What poppler's pdfsig says about the file's signatures."""
    return subprocess.run(["pdfsig", str(path)], capture_output=True, text=True).stdout
