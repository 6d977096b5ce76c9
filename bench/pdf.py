"""The signed PDF's cost: render and seal times and peak memory for a 10-page and a 100-page agreement.

Prints, per size: pages, template time, WeasyPrint time (the same HTML, on its
own), full render (template + WeasyPrint + attachment + seal), seal time, the
ratio full / WeasyPrint alone, and the peak resident memory of a process that
does one full render. Uses a throw-away SQLite database and seal certificate.

    .venv/bin/python bench/pdf.py
"""

from __future__ import annotations

import io
import multiprocessing
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

VAR = tempfile.mkdtemp(prefix="samenkader-bench-pdf-")
os.environ["SAMENKADER_VAR_DIR"] = VAR
os.environ.pop("DATABASE_URL", None)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ["SEAL_PKCS12_PATH"] = str(Path(VAR) / "seal" / "bench.p12")
os.environ["SEAL_PKCS12_PASSPHRASE"] = "bench"
os.environ["MEDIA_ROOT"] = str(Path(VAR) / "media")

import django  # noqa: E402

django.setup()

import logging  # noqa: E402

from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402

logging.getLogger("weasyprint").setLevel(logging.ERROR)
logging.getLogger("fontTools").setLevel(logging.ERROR)

# Page counts to measure; other sizes can be given on the command line (e.g. `bench/pdf.py 200`).
SIZES = tuple(int(a) for a in sys.argv[1:]) or (10, 100)
# Content scale per size, calibrated against the print layout (cover, signature page and appendix included).
CONTENT_SCALE = {10: 9, 100: 160}
# Runs per size (the median is printed); the big ones take long enough to measure once.
REPEAT = {size: 3 if size <= 20 else 1 for size in SIZES}


def setup_data() -> dict[int, int]:
    """One signed agreement per size (built directly, no queue); returns size -> version id."""
    from agreements.seal import create_development_certificate
    from tests.documents.helpers import signed_directly
    from tests.factories import build_world

    call_command("migrate", verbosity=0, interactive=False)
    create_development_certificate(Path(os.environ["SEAL_PKCS12_PATH"]), "bench")
    world = build_world()
    ids = {}
    for size in SIZES:
        with transaction.atomic():
            agreement = signed_directly(world, title=f"Bench {size}", pages=CONTENT_SCALE.get(size, round(size * 1.6)))
        version = agreement.frozen_version()
        ids[size] = version.pk
    return ids


def page_count(data: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(data)).pages)


# CPU seconds of this process: the figures stay comparable when other work shares the machine.
clock = time.process_time


def timed(function, *args, **kwargs):
    started = clock()
    result = function(*args, **kwargs)
    return result, clock() - started


def measure(version_id: int, repeat: int) -> dict:
    from agreements import pdf, seal
    from agreements.models import AgreementVersion

    version = AgreementVersion.objects.select_related("agreement").get(pk=version_id)
    template, weasy, full, sealing, wall = [], [], [], [], []
    pages = 0
    for _ in range(repeat):
        html, t_template = timed(pdf.render_html, version)
        _plain, t_weasy = timed(pdf.html_to_pdf, html)
        started = clock()
        wall_started = time.perf_counter()
        rendered = pdf.render_version_pdf(version)
        sealed, t_seal = timed(seal.seal_pdf, rendered)
        t_full = clock() - started
        wall.append(time.perf_counter() - wall_started)
        template.append(t_template)
        weasy.append(t_weasy)
        full.append(t_full)
        sealing.append(t_seal)
        pages = page_count(sealed)
    return {
        "pages": pages,
        "size_kb": len(sealed) // 1024,
        "template": statistics.median(template),
        "weasyprint": statistics.median(weasy),
        "full": statistics.median(full),
        "seal": statistics.median(sealing),
        "wall": statistics.median(wall),
    }


def _peak_child(version_id: int, queue) -> None:
    from agreements import pdf, seal
    from agreements.models import AgreementVersion

    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    version = AgreementVersion.objects.select_related("agreement").get(pk=version_id)
    seal.seal_pdf(pdf.render_version_pdf(version))
    queue.put((before, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss))


def peak_memory_mb(version_id: int) -> tuple[float, float]:
    """Peak resident memory (MB) of a fresh process doing one full render, and its growth during the render."""
    from django.db import connections

    connections.close_all()
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    process = context.Process(target=_peak_child, args=(version_id, queue))
    process.start()
    before, after = queue.get(timeout=600)
    process.join()
    return after / 1024, (after - before) / 1024


def main() -> None:
    ids = setup_data()
    # Warm up: imports, fonts and the certificate are loaded once per worker process, not per document.
    from agreements import pdf, seal
    from agreements.models import AgreementVersion

    seal.seal_pdf(pdf.render_version_pdf(AgreementVersion.objects.get(pk=ids[min(SIZES)])))

    runs = ", ".join(f"{size} pages x{n}" for size, n in REPEAT.items())
    print(
        f"PDF bench (median of runs: {runs}; WeasyPrint {__import__('weasyprint').__version__}; {os.cpu_count()} cores)"
    )
    print("Times are CPU seconds of the rendering process; 'wall s' is the full render's elapsed time.")
    header = (
        f"{'agreement':>10} {'pages':>6} {'KB':>6} {'template s':>11} {'WeasyPrint s':>13} "
        f"{'seal s':>7} {'full s':>7} {'full/WP':>8} {'wall s':>7} {'peak MB':>8} {'+MB':>6}"
    )
    print(header)
    for size in SIZES:
        figures = measure(ids[size], REPEAT[size])
        peak, growth = peak_memory_mb(ids[size])
        print(
            f"{size:>8}pp {figures['pages']:>6} {figures['size_kb']:>6} {figures['template']:>11.3f} "
            f"{figures['weasyprint']:>13.3f} {figures['seal']:>7.3f} {figures['full']:>7.3f} "
            f"{figures['full'] / figures['weasyprint']:>8.2f} {figures['wall']:>7.2f} {peak:>8.0f} {growth:>6.0f}"
        )


if __name__ == "__main__":
    main()
