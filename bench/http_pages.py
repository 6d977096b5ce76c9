"""The pages over HTTP, as production serves them: requests per second, p50 and p99, as a share of a floor page.

Creates a PostgreSQL database of its own per size, migrates it, loads the demo
(``seed_demo``) and adds N generated agreements (default 2,000): copies of the
twelve agreements between Gemeente Zwolle and its initiatives, each with its
versions, content, neighbourhoods, advisor grants, comments, signatures and
log, in every state the demo has. The demo's Zwolle reviewer, drafter,
signatory and advisor therefore see more agreements as N grows. Then it starts
gunicorn with config/gunicorn.conf.py in production mode (2 workers, DEBUG off,
plain HTTP on loopback), signs in through the sign-in form as each kind of
person and measures each page with wrk at 8 and at 1 connections.

The floor is the signed-in privacy statement (the full layout, 3 queries),
as the same person. Every page run sits between two floor runs, and
its share is its requests per second over the mean of those two: a share of 1
costs no more than the floor, and the shares stay comparable on a machine
whose other work comes and goes. Queries are counted once per page with
Django's test client in a separate process on the same database and code.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/samenkader python bench/http_pages.py \\
        [--agreements 2000 | --sizes 200,20000] [--duration 5] [--max-duration 30] [--connections 8,1] \\
        [--app-dir DIR] [--keep]

``--app-dir`` serves (and migrates, seeds and counts with) the code of another
checkout, e.g. a git worktree of an older commit, for a before/after
comparison on the same machine. Needs wrk (Debian package ``wrk``) and
gunicorn; without them, or without a PostgreSQL DATABASE_URL, it says why it
skips.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess  # nosec B404 # our own interpreter, gunicorn and wrk
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
DB_PREFIX = "samenkader_bench_http"
PASSWORD = "bench-demo-password-1"  # the demo users' password in the bench's own database
SEAL_PASSPHRASE = "bench-seal-passphrase"

PEOPLE = {
    "drafter": "initiatief@example.org",
    "reviewer": "gemeente@example.org",
    "signatory": "wethouder@example.org",
    "advisor": "adviseur@example.org",
}
FLOOR_PATH = "/privacy/"
# Settings of the caller's own environment that would change what is measured: the bench sets its own.
_NOT_PASSED_ON = (
    "DJANGO_",
    "DEBUG",
    "SECRET_KEY",
    "DEMO_PASSWORD",
    "ALLOWED_HOSTS",
    "SITE_URL",
    "CACHE_URL",
    "CELERY_",
    "AWS_",
    "WEB_",
    "SECURE_",
    "PLAIN_HTTP",
    "TRUSTED_PROXY",
    "TWO_FACTOR",
    "REQUEST_LOG",
    "PROMETHEUS",
)


@dataclass(frozen=True)
class Page:
    label: str
    who: str
    path: str  # may name {in_review} or {signed}
    goal: float = 0.5  # share of the floor at 8 connections


# Grouped by person: each group shares its floor runs (floor, page, floor, page, floor, ...).
PAGES = [
    Page("home", "drafter", "/"),
    Page("agreement signed", "drafter", "/afspraken/{signed}/"),
    Page("home", "reviewer", "/"),
    Page("agreement in review", "reviewer", "/afspraken/{in_review}/"),
    Page("/voortgang/", "reviewer", "/voortgang/"),
    Page("API list", "reviewer", "/api/v1/agreements/", goal=0.6),
    Page("API detail", "reviewer", "/api/v1/agreements/{in_review}/"),
    Page("home", "signatory", "/"),
    Page("home", "advisor", "/"),
    Page("/voortgang/", "advisor", "/voortgang/"),
]


# --- the database --------------------------------------------------------------------------------


def _admin(url: str, statement: str) -> None:
    import psycopg

    admin_url = urlunparse(urlparse(url)._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True, connect_timeout=3) as conn:
        conn.execute(statement)


def _database_name(size: int, app_dir: Path | None) -> str:
    tag = "" if app_dir is None else "_" + re.sub(r"[^a-z0-9]+", "_", app_dir.name.lower()).strip("_")[:20]
    return f"{DB_PREFIX}{tag}_{size}"


# --- preparing a database (runs in a child process, with the served checkout's code) ----------


def _clone(obj, **overrides):
    """A new, unsaved row with every column of ``obj`` but its id (the model of whichever checkout runs this)."""
    values = {f.attname: getattr(obj, f.attname) for f in type(obj)._meta.concrete_fields if not f.primary_key}
    values.update(overrides)
    return type(obj)(**values)


def _generate(count: int) -> int:
    """Add ``count`` agreements: copies of the reviewer's municipality's demo agreements with all their rows.

    The database's own rules hold: a version's content can only be written while
    the version is open, so each copy is frozen after its content is in, as the
    services do it.
    """
    from collections import defaultdict

    from django.db import transaction

    from agreements.models import (
        AdvisorAccess,
        Agreement,
        AgreementVersion,
        AuditEvent,
        Comment,
        DecisionMoment,
        Neighbourhood,
        Responsibility,
        Section,
        Signature,
    )

    templates = list(
        Agreement.objects.filter(municipality__memberships__user__email=PEOPLE["reviewer"]).distinct().order_by("pk")
    )
    template_ids = [t.pk for t in templates]

    def by(model, key, **filters):
        rows = defaultdict(list)
        for row in model.objects.filter(**filters).order_by("pk"):
            rows[getattr(row, key)].append(row)
        return rows

    per_agreement = {
        model: by(model, "agreement_id", agreement_id__in=template_ids)
        for model in (Neighbourhood, AdvisorAccess, AuditEvent)
    }
    versions = by(AgreementVersion, "agreement_id", agreement_id__in=template_ids)
    version_ids = [v.pk for vs in versions.values() for v in vs]
    per_version = {
        model: by(model, "version_id", version_id__in=version_ids)
        for model in (Section, Responsibility, DecisionMoment, Signature)
    }
    comments = by(Comment, "version_id", version_id__in=version_ids)

    template_version = {v.pk: v for rows in versions.values() for v in rows}
    made = copy = 0
    per_transaction = 600
    while made < count:
        with transaction.atomic():
            plan = []  # (copy number, template): whole copies of the set, the last one cut short
            while len(plan) < per_transaction and made + len(plan) < count:
                plan += [(copy, t) for t in templates][: count - made - len(plan)]
                copy += 1
            numbers = range(made + 1, made + len(plan) + 1)
            new = Agreement.objects.bulk_create(
                [
                    _clone(t, reference=f"SK-B-{n:06d}", title=f"{t.title} ({n})", supersedes_id=None)
                    for n, (_c, t) in zip(numbers, plan, strict=True)
                ]
            )
            agreement_of = {(c, t.pk): a for (c, t), a in zip(plan, new, strict=True)}
            amendments = []
            for (c, t), a in zip(plan, new, strict=True):
                original = agreement_of.get((c, t.supersedes_id))
                if original is not None:
                    a.supersedes_id = original.pk
                    amendments.append(a)
            Agreement.objects.bulk_update(amendments, ["supersedes"])
            for model, rows in per_agreement.items():
                model.objects.bulk_create(
                    [_clone(r, agreement_id=a.pk) for (_c, t_pk), a in agreement_of.items() for r in rows[t_pk]],
                    batch_size=2000,
                )
            old_versions = [(c, v) for (c, t_pk) in agreement_of for v in versions[t_pk]]
            new_versions = AgreementVersion.objects.bulk_create(
                [_clone(v, agreement_id=agreement_of[(c, v.agreement_id)].pk, frozen_at=None) for c, v in old_versions],
                batch_size=2000,
            )
            version_of = {(c, v.pk): n for (c, v), n in zip(old_versions, new_versions, strict=True)}
            for model, rows in per_version.items():
                model.objects.bulk_create(
                    [_clone(r, version_id=n.pk) for (c, old), n in version_of.items() for r in rows[old]],
                    batch_size=2000,
                )
            comment_of = {}
            for replies in (False, True):  # threads first, then the replies that point at them
                pairs = [
                    (c, r) for (c, old) in version_of for r in comments[old] if (r.parent_id is not None) == replies
                ]
                made_comments = Comment.objects.bulk_create(
                    [
                        _clone(
                            r,
                            version_id=version_of[(c, r.version_id)].pk,
                            parent_id=comment_of[(c, r.parent_id)].pk if replies else None,
                        )
                        for c, r in pairs
                    ]
                )
                comment_of.update({(c, r.pk): n for (c, r), n in zip(pairs, made_comments, strict=True)})
            frozen = []
            for (_c, old), n in version_of.items():
                if template_version[old].frozen_at is not None:
                    n.frozen_at = template_version[old].frozen_at
                    frozen.append(n)
            AgreementVersion.objects.bulk_update(frozen, ["frozen_at"], batch_size=1000)
            made += len(plan)
    return made


def prepare(count: int, out: Path) -> int:
    """Migrate, seed the demo, add ``count`` agreements, count each page's queries; write what the parent needs."""
    import io

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from agreements.models import Agreement, User
    from workflow.core.visibility import visible_agreements

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seal_certificate", stdout=io.StringIO())
    seeded = time.perf_counter()
    made = _generate(count)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    generated = time.perf_counter()

    zwolle = Agreement.objects.filter(municipality__memberships__user__email=PEOPLE["reviewer"]).order_by("pk")
    refs = {
        "in_review": zwolle.filter(state="in_review").values_list("reference", flat=True).first(),
        "signed": zwolle.filter(state="signed", supersedes__isnull=True).values_list("reference", flat=True).first(),
    }
    users = {who: User.objects.get(email=email) for who, email in PEOPLE.items()}
    queries, problems = {}, []
    client = Client()
    for page in [Page("floor", who, FLOOR_PATH) for who in PEOPLE] + PAGES:
        client.force_login(users[page.who])
        path = page.path.format(**refs)
        client.get(path)  # warm once
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path)
        if response.status_code != 200:
            problems.append(f"{page.label} as {page.who} ({path}): {response.status_code}")
        queries[f"{page.label}|{page.who}"] = len(captured)
    result = {
        "refs": refs,
        "agreements": Agreement.objects.count(),
        "generated": made,
        "visible": {who: visible_agreements(u).count() for who, u in users.items()},
        "queries": queries,
        "problems": problems,
        "seed_seconds": seeded - started,
        "generate_seconds": generated - seeded,
    }
    out.write_text(json.dumps(result))
    return 0


# --- the server and the load generator ---------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    process: subprocess.Popen
    url: str
    log_path: Path

    def stop(self) -> None:
        if self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)  # gunicorn's own group: the master and its workers
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)


def start_server(app_dir: Path, env: dict, var_dir: Path) -> Server:
    import requests

    port = _free_port()
    log_path = var_dir / "gunicorn.log"
    server_env = {
        **env,
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "WEB_CONCURRENCY": "2",
        "WEB_THREADS": "1",
        # No worker restarts in the middle of a run (production replaces a worker every 2,000 requests).
        "WEB_MAX_REQUESTS": "0",
        "WEB_TIMEOUT": "120",
    }
    with open(log_path, "ab") as log:
        process = subprocess.Popen(  # nosec B603 # our own interpreter and gunicorn
            [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.conf.py"],
            cwd=app_dir,
            env=server_env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = Server(process, f"http://127.0.0.1:{port}", log_path)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited:\n{log_path.read_text(errors='replace')[-3000:]}")
        try:
            if requests.get(server.url + "/healthz", timeout=3).status_code == 200:
                return server
        except requests.RequestException:
            pass
        time.sleep(0.5)
    server.stop()
    raise RuntimeError(f"gunicorn did not answer within 90 s (log: {log_path})")


def sign_in(server: Server, email: str) -> str:
    """Sign in through the form as a browser does; the Cookie header that carries the session."""
    import requests

    session = requests.Session()
    page = session.get(server.url + "/inloggen/", timeout=30)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    if token is None:
        raise RuntimeError("no CSRF token on the sign-in page")
    response = session.post(
        server.url + "/inloggen/",
        data={"csrfmiddlewaretoken": token.group(1), "username": email, "password": PASSWORD},
        timeout=30,
        allow_redirects=False,
    )
    if response.status_code != 302 or "/inloggen/" in response.headers.get("Location", ""):
        raise RuntimeError(f"signing in as {email} failed: {response.status_code} {response.headers.get('Location')}")
    return "; ".join(f"{c.name}={c.value}" for c in session.cookies)


def check_page(server: Server, cookie: str, path: str) -> None:
    import requests

    response = requests.get(server.url + path, headers={"Cookie": cookie}, timeout=120, allow_redirects=False)
    if response.status_code != 200:
        raise RuntimeError(f"GET {path}: {response.status_code} {response.headers.get('Location', '')}")


@dataclass
class Run:
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _to_ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(value) * _UNITS[unit]


def parse_wrk(output: str) -> Run:
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    p50 = _to_ms(re.search(r"^\s+50%\s+(\S+)", output, re.M).group(1))
    p99 = _to_ms(re.search(r"^\s+99%\s+(\S+)", output, re.M).group(1))
    requests = int(re.search(r"(\d+) requests in", output).group(1))
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", output))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return Run(rps, p50, p99, requests, errors + (int(non_2xx.group(1)) if non_2xx else 0))


def wrk(wrk_path: str, url: str, cookie: str, connections: int, duration: float) -> Run:
    threads = min(connections, 2)
    command = [
        wrk_path,
        f"-t{threads}",
        f"-c{connections}",
        f"-d{max(1, round(duration))}s",  # wrk takes whole seconds
        "--timeout",
        "60s",
        "--latency",
        "-H",
        f"Cookie: {cookie}",
        url,
    ]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout  # nosec B603
    _drain(url)
    return parse_wrk(output)


def _drain(url: str) -> None:
    """Wait until the requests wrk left behind are served, so that the next run starts on an idle server.

    wrk stops with requests still in gunicorn's queue, and a slow page leaves seconds of work there. The
    queue is served in order: a request sent now is answered once everything before it has been, and a
    second one once both workers are free again.
    """
    import requests

    base = url.split("/", 3)
    for _ in range(2):
        requests.get("/".join(base[:3]) + "/healthz", timeout=900)


@dataclass
class Row:
    page: Page
    runs: dict = field(default_factory=dict)  # connections -> (the page's Run, the floor's Run before, after)


def measure(
    server: Server, wrk_path: str, refs: dict, connections: list[int], duration: float, max_duration: float
) -> tuple[list, dict]:
    cookies = {who: sign_in(server, email) for who, email in PEOPLE.items()}
    rows = [Row(p) for p in PAGES]
    for row in rows:
        check_page(server, cookies[row.page.who], row.page.path.format(**refs))
    for who in PEOPLE:
        check_page(server, cookies[who], FLOOR_PATH)
    floors: dict[int, list[Run]] = {}
    # Warm both workers (imports, template loading, connections) before anything counts.
    wrk(wrk_path, server.url + FLOOR_PATH, cookies["reviewer"], 4, 2)
    for conns in connections:
        floors[conns] = []
        previous_who, floor_before = None, None
        for row in rows:
            who = row.page.who
            if who != previous_who:
                floor_before = wrk(wrk_path, server.url + FLOOR_PATH, cookies[who], conns, duration)
                floors[conns].append(floor_before)
            url = server.url + row.page.path.format(**refs)
            run = wrk(wrk_path, url, cookies[who], conns, duration)
            if run.requests < FEW and max_duration > duration:
                # Too few requests for a figure: run again, long enough for about FEW of them.
                longer = min(max_duration, duration * FEW / max(run.requests, 1))
                run = wrk(wrk_path, url, cookies[who], conns, longer)
            floor_after = wrk(wrk_path, server.url + FLOOR_PATH, cookies[who], conns, duration)
            floors[conns].append(floor_after)
            row.runs[conns] = (run, floor_before, floor_after)
            floor_before, previous_who = floor_after, who
            print(
                f"  {conns} conn  {row.page.label} ({who}): {run.rps:.1f} rps ({run.requests} requests), floor "
                f"{row.runs[conns][1].rps:.0f}/{floor_after.rps:.0f} rps"
                + (f", {run.errors} errors or non-2xx!" if run.errors else ""),
                flush=True,
            )
    return rows, floors


def _rps(value: float) -> str:
    return f"{value:.0f}" if value >= 100 else f"{value:.1f}" if value >= 10 else f"{value:.2f}"


def _ms_text(value: float) -> str:
    return f"{value:.0f}" if value >= 100 else f"{value:.1f}"


FEW = 20  # a run with fewer requests than this gives a rough figure: the table says how many


def _cell(run: Run) -> str:
    notes = [f"{run.errors} errors"] if run.errors else []
    if run.requests < FEW:
        notes.append(f"n={run.requests}")
    return _rps(run.rps) + (f" ({', '.join(notes)})" if notes else "")


def table(rows: list[Row], floors: dict, info: dict, connections: list[int]) -> str:
    many, one = max(connections), min(connections)
    lines = [
        f"| page (person, agreements seen) | rps {many} conn | share | p50 ms | p99 ms | rps {one} conn | share "
        "| queries | goal |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    floor_rps = {conns: statistics.mean(r.rps for r in floors[conns]) for conns in (many, one)}
    lines.append(
        f"| floor: `{FLOOR_PATH}` (mean of {len(floors[many])} runs; median p50, p99) | {_rps(floor_rps[many])} | 1 "
        f"| {_ms_text(statistics.median(r.p50_ms for r in floors[many]))} "
        f"| {_ms_text(statistics.median(r.p99_ms for r in floors[many]))} | {_rps(floor_rps[one])} | 1 "
        f"| {info['queries'].get('floor|reviewer', '')} | |"
    )
    for row in rows:
        shares = {}
        for conns in (many, one):
            run, before, after = row.runs[conns]
            shares[conns] = run.rps / statistics.mean([before.rps, after.rps])
        page_many, page_one = row.runs[many][0], row.runs[one][0]
        goal = "met" if shares[many] >= row.page.goal else f"< {row.page.goal:g}"
        queries = info["queries"][f"{row.page.label}|{row.page.who}"]
        lines.append(
            f"| {row.page.label} ({row.page.who}, {info['visible'][row.page.who]:,}) | {_cell(page_many)} "
            f"| {shares[many]:.3f} | {_ms_text(page_many.p50_ms)} | {_ms_text(page_many.p99_ms)} "
            f"| {_cell(page_one)} | {shares[one]:.3f} | {queries} | {goal} |"
        )
    return "\n".join(lines)


# --- one size from start to end ------------------------------------------------------------------


def bench_size(size: int, args, base_url: str, wrk_path: str) -> None:
    app_dir = args.app_dir
    name = _database_name(size, args.app_dir if args.app_dir != ROOT else None)
    url = urlunparse(urlparse(base_url)._replace(path=f"/{name}"))
    var_dir = Path(tempfile.mkdtemp(prefix="samenkader-bench-http-"))
    env = {key: value for key, value in os.environ.items() if not key.startswith(_NOT_PASSED_ON)}
    env.update(
        {
            "DATABASE_URL": url,
            "SAMENKADER_VAR_DIR": str(var_dir),
            "SEAL_PKCS12_PATH": str(var_dir / "seal" / "bench.p12"),
            "SEAL_PKCS12_PASSPHRASE": SEAL_PASSPHRASE,
            "SEAL_TIMESTAMP_URL": "",
            "CELERY_BROKER_URL": "memory://",
            "PYTHONDONTWRITEBYTECODE": "1",
        }
    )
    server = None
    _admin(url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    _admin(url, f"CREATE DATABASE {name}")
    try:
        print(f"\n## {size:,} generated agreements (database {name}, code in {app_dir})", flush=True)
        info_path = var_dir / "prepared.json"
        subprocess.run(  # nosec B603 # our own interpreter and this script
            [sys.executable, str(Path(__file__).resolve()), "--prepare", str(size), "--out", str(info_path)],
            cwd=app_dir,
            env={**env, "DEMO_PASSWORD": PASSWORD, "ALLOWED_HOSTS": "testserver", "PYTHONPATH": str(app_dir)},
            check=True,
        )
        info = json.loads(info_path.read_text())
        if info["problems"]:
            raise RuntimeError("pages that do not answer 200: " + "; ".join(info["problems"]))
        print(
            f"migrated and demo loaded in {info['seed_seconds']:.0f} s, {info['generated']:,} agreements generated in "
            f"{info['generate_seconds']:.0f} s ({info['agreements']:,} in all); each person sees: "
            + ", ".join(f"{who} {n:,}" for who, n in info["visible"].items()),
            flush=True,
        )
        production = {
            **env,
            "DJANGO_ENV": "production",
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(48),
            "ALLOWED_HOSTS": "127.0.0.1",
            "PLAIN_HTTP_ON_LOOPBACK": "1",
            "SITE_URL": "http://127.0.0.1",
            "LOG_LEVEL": "WARNING",
        }
        if args.cache_url:
            production["CACHE_URL"] = args.cache_url
        server = start_server(app_dir, production, var_dir)
        rows, floors = measure(server, wrk_path, info["refs"], args.connections, args.duration, args.max_duration)
        print()
        print(
            f"{size:,} generated agreements ({info['agreements']:,} in all), gunicorn 2 workers, wrk "
            f"{args.duration:g} s a run (a page with fewer than {FEW} requests again, up to {args.max_duration:g} s); "
            "share = page rps / mean of the floor runs just before and after it; "
            f"p50 and p99 at {max(args.connections)} connections; queries of one request (test client)."
        )
        print()
        print(table(rows, floors, info, args.connections))
        print(flush=True)
    finally:
        if server is not None:
            server.stop()
        if args.keep:
            print(f"kept database {name} and {var_dir}")
        else:
            _admin(url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            shutil.rmtree(var_dir, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agreements", type=int, default=2000, help="generated agreements (default 2000)")
    parser.add_argument("--sizes", help="several sizes, one table each, e.g. 200,20000 (instead of --agreements)")
    parser.add_argument("--duration", type=float, default=5, help="seconds per wrk run (default 5)")
    parser.add_argument(
        "--max-duration",
        type=float,
        default=30,
        help=f"a page run with fewer than {FEW} requests runs again for up to this many seconds (default 30)",
    )
    parser.add_argument("--connections", default="8,1", help="connection counts (default 8,1)")
    parser.add_argument("--app-dir", type=Path, default=ROOT, help="the checkout to serve (default this one)")
    parser.add_argument("--cache-url", default=os.environ.get("BENCH_CACHE_URL", ""), help="Redis URL of the cache")
    parser.add_argument("--keep", action="store_true", help="keep the databases and the temporary folder")
    parser.add_argument("--prepare", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.prepare is not None:
        sys.path.insert(0, os.getcwd())
        return prepare(args.prepare, args.out)

    base_url = os.environ.get("DATABASE_URL", "")
    if not base_url.startswith(("postgres://", "postgresql://")):
        print("bench/http_pages.py: skipped — set DATABASE_URL=postgres://… (the figures are for PostgreSQL).")
        return 0
    wrk_path = shutil.which("wrk")
    if wrk_path is None:
        print("bench/http_pages.py: skipped — wrk is not installed (Debian: apt-get install wrk).")
        return 0
    try:
        import gunicorn  # noqa: F401
    except ImportError:
        print("bench/http_pages.py: skipped — gunicorn is not installed (pip install -r requirements.txt).")
        return 0
    try:
        _admin(base_url, "SELECT 1")
    except Exception as error:  # noqa: BLE001 - a bench says why it did not run
        print(f"bench/http_pages.py: skipped — the PostgreSQL server does not answer ({error}).")
        return 0
    args.app_dir = args.app_dir.resolve()
    args.connections = sorted({int(c) for c in args.connections.split(",")}, reverse=True)
    sizes = [int(s) for s in args.sizes.split(",")] if args.sizes else [args.agreements]
    for size in sizes:
        bench_size(size, args, base_url, wrk_path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
