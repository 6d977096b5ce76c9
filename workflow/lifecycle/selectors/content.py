"""A version's content for the agreement page: read at most once, and rendered once per frozen version.

``load_content`` hands each version its sections, role division, decision moments and escalation ladder,
and the agreement its neighbourhoods, as if prefetched, so ``version.sections.all()`` and
the like (``changed_parts``, ``missing_for_submission``) ask nothing more. A frozen version
carries its canonical JSON from the page's versions query (``versions_with_latest_content``)
and is read from that: what was hashed is what is shown. A draft's rows are read in one
query (a UNION of the five tables).

``content_html`` renders the content as the page shows it: each section's text, the
neighbourhoods, the role division and the decision moments. A frozen version never
changes, so its render is kept in the shared cache under a key made of everything the
render depends on: the content hash, the language, the party names in the matrix's
headings and a digest of the templates involved (a changed template is a new key, with
nothing to bump by hand). Nothing per person is in it: the markers of what changed since
the round before, the comments and the buttons stay outside. A draft is rendered each
time. When the cache fails the page renders the content itself.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from collections.abc import Callable, Iterable
from functools import lru_cache

from django.core.cache import cache
from django.db.models import Case, CharField, ExpressionWrapper, F, IntegerField, Q, Subquery, TextField, Value, When
from django.db.models.functions import Cast
from django.template.loader import get_template, render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from agreements.choices import RaciRole
from agreements.models import (
    Agreement,
    AgreementVersion,
    DecisionMoment,
    EscalationStep,
    Neighbourhood,
    Responsibility,
    Section,
)
from agreements.sections import SECTION_DEFINITIONS

logger = logging.getLogger(__name__)

# The templates a cached render comes from (with what they include); their digest is part of the key.
CONTENT_TEMPLATES = (
    "agreements/_section_body.html",
    "agreements/_neighbourhoods.html",
    "agreements/_matrix.html",
    "agreements/_raci.html",
    "agreements/_decisions.html",
    "agreements/_escalation_ladder.html",
)
# Bumped by hand only when the Python that feeds those templates changes what it passes them.
CONTENT_RENDER_VERSION = 1
CACHE_SECONDS = 60 * 60 * 24 * 30


# --- reading ---------------------------------------------------------------------------------

_COLUMNS = ("kind", "row_id", "owner_id", "row_position", "c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8")


def _text(field: str | None) -> Value | Cast:
    """A field as text, or an empty column where this table has nothing."""
    return Value("", output_field=CharField()) if field is None else Cast(field, CharField())


def _rows(model, kind: str, owner: str, position, *columns) -> object:
    """One table's rows as the same twelve columns: kind, id, version (or agreement), position, then text."""
    padded = [*columns, *[None] * (8 - len(columns))]
    annotations = {
        "kind": Value(kind, output_field=CharField()),
        "row_id": Cast("pk", IntegerField()),
        "owner_id": Cast(owner, IntegerField()),
        "row_position": Cast(position, IntegerField()) if isinstance(position, str) else Value(0, IntegerField()),
        **{f"c{n + 1}": _text(column) for n, column in enumerate(padded)},
    }
    return model.objects.annotate(**annotations)


def versions_with_latest_content(agreement: Agreement):
    """The agreement's versions, oldest first; the newest two carry their frozen content (``content_json``).

    The bytes a frozen version was hashed from are its content for good, so the page reads that version's
    content (and the neighbourhoods it was frozen with) from them, in this same query.
    """
    newest = AgreementVersion.objects.filter(agreement_id=agreement.pk).order_by("-number").values("number")[:1]
    return (
        agreement.versions.defer("canonical_json")
        .annotate(
            content_json=Case(
                When(
                    Q(frozen_at__isnull=False)
                    & Q(number__gte=ExpressionWrapper(Subquery(newest) - 1, output_field=IntegerField())),
                    then=F("canonical_json"),
                ),
                default=Value(""),
                output_field=TextField(),
            )
        )
        .order_by("number")
    )


def _from_canonical(agreement: Agreement, version: AgreementVersion, *, neighbourhoods: bool) -> None:
    """A frozen version's content from its canonical JSON (either schema), as unsaved rows."""
    data = json.loads(version.content_json)
    sections = {s["key"]: s["body"] for s in data["sections"]}
    prefetched(
        version,
        "sections",
        [
            Section(version_id=version.pk, key=d.key, body=sections[d.key])
            for d in SECTION_DEFINITIONS
            if d.key in sections
        ],
    )
    rows = []
    for position, r in enumerate(data["responsibilities"]):
        third = r.get("third_party") or {}
        rows.append(
            Responsibility(
                version_id=version.pk,
                position=position,
                task=r["task"],
                phase=r["phase"],
                initiative_role=r["initiative"] or "",
                municipality_role=r["municipality"] or "",
                third_party_name=third.get("name") or "",
                third_party_role=third.get("role") or "",
                third_parties=[{"name": p["name"], "role": p["role"] or ""} for p in r.get("third_parties", [])],
                third_party_owner=r.get("third_party_owner") or "",
            )
        )
    prefetched(version, "responsibilities", rows)
    prefetched(
        version,
        "decision_moments",
        [
            DecisionMoment(
                version_id=version.pk,
                position=position,
                title=d["title"],
                planned_date=dt.date.fromisoformat(d["planned_date"]) if d["planned_date"] else None,
                deciding_body=d["deciding_body"],
                instrument=d["instrument"] or "",
                deciding_party=d.get("deciding_party") or "",
            )
            for position, d in enumerate(data["decision_moments"])
        ],
    )
    prefetched(
        version,
        "escalation_steps",
        [
            EscalationStep(
                version_id=version.pk, position=position, level=e["level"], involved=e["involved"], days=e["days"]
            )
            for position, e in enumerate(data.get("escalation_ladder", []))
        ],
    )
    if neighbourhoods:
        prefetched(
            agreement,
            "neighbourhoods",
            [
                Neighbourhood(
                    agreement_id=agreement.pk, position=position, name=n["name"], cbs_code=n["cbs_code"] or ""
                )
                for position, n in enumerate(data["agreement"]["neighbourhoods"])
            ],
        )


def load_content(agreement: Agreement, versions: Iterable[AgreementVersion], *, neighbourhoods: bool = True) -> None:
    """Fill ``versions`` with their content, and ``agreement`` with its neighbourhoods.

    A version that carries its frozen content (``versions_with_latest_content``) reads nothing; the others
    (a draft) are read in one query, with the neighbourhoods. The neighbourhoods come from the frozen content
    only when no draft is being read: while there is none, they cannot have changed since.
    """
    versions = list(versions)
    frozen = [v for v in versions if getattr(v, "content_json", "")]
    versions = [v for v in versions if v not in frozen]
    for version in frozen:
        _from_canonical(agreement, version, neighbourhoods=neighbourhoods and not versions and version is frozen[-1])
    neighbourhoods = neighbourhoods and (bool(versions) or not frozen)
    by_id = {v.pk: v for v in versions}
    queries = []
    if by_id:
        queries += [
            _rows(Section, "s", "version_id", 0, "key", "body").filter(version_id__in=by_id),
            _rows(
                Responsibility,
                "r",
                "version_id",
                "position",
                "task",
                "phase",
                "initiative_role",
                "municipality_role",
                "third_party_name",
                "third_party_role",
                "third_parties",
                "third_party_owner",
            ).filter(version_id__in=by_id),
            _rows(
                DecisionMoment,
                "d",
                "version_id",
                "position",
                "title",
                "planned_date",
                "deciding_body",
                "instrument",
                "deciding_party",
            ).filter(version_id__in=by_id),
            _rows(EscalationStep, "e", "version_id", "position", "level", "involved", "days").filter(
                version_id__in=by_id
            ),
        ]
    if neighbourhoods:
        queries.append(
            _rows(Neighbourhood, "n", "agreement_id", "position", "name", "cbs_code").filter(agreement=agreement)
        )
    rows: list[tuple] = []
    if queries:
        first, *rest = (q.order_by().values_list(*_COLUMNS) for q in queries)  # SQLite: no ORDER BY inside a UNION
        rows = list(first.union(*rest, all=True)) if rest else list(first)
    content: dict[int, dict[str, list]] = {pk: {"s": [], "r": [], "d": [], "e": []} for pk in by_id}
    places = []
    for kind, pk, owner, position, *c in rows:
        if kind == "n":
            places.append(Neighbourhood(pk=pk, agreement_id=owner, position=position, name=c[0], cbs_code=c[1]))
        elif kind == "s":
            content[owner]["s"].append(Section(pk=pk, version_id=owner, key=c[0], body=c[1]))
        elif kind == "r":
            content[owner]["r"].append(
                Responsibility(
                    pk=pk,
                    version_id=owner,
                    position=position,
                    task=c[0],
                    phase=c[1],
                    initiative_role=c[2],
                    municipality_role=c[3],
                    third_party_name=c[4],
                    third_party_role=c[5],
                    third_parties=json.loads(c[6]) if c[6] else [],
                    third_party_owner=c[7],
                )
            )
        elif kind == "e":
            content[owner]["e"].append(
                EscalationStep(pk=pk, version_id=owner, position=position, level=c[0], involved=c[1], days=int(c[2]))
            )
        else:
            content[owner]["d"].append(
                DecisionMoment(
                    pk=pk,
                    version_id=owner,
                    position=position,
                    title=c[0],
                    planned_date=dt.date.fromisoformat(c[1][:10]) if c[1] else None,
                    deciding_body=c[2],
                    instrument=c[3],
                    deciding_party=c[4],
                )
            )
    for pk, version in by_id.items():
        order = {d.key: n for n, d in enumerate(SECTION_DEFINITIONS)}
        prefetched(version, "sections", sorted(content[pk]["s"], key=lambda s: order.get(s.key, len(order))))
        prefetched(version, "responsibilities", sorted(content[pk]["r"], key=lambda r: (r.position, r.pk)))
        prefetched(version, "decision_moments", sorted(content[pk]["d"], key=lambda d: (d.position, d.pk)))
        prefetched(version, "escalation_steps", sorted(content[pk]["e"], key=lambda e: (e.position, e.pk)))
    if neighbourhoods:
        prefetched(agreement, "neighbourhoods", sorted(places, key=lambda n: (n.position, n.pk)))


def prefetched(instance, name: str, rows: list) -> None:
    """Hand ``rows`` to ``instance.<name>.all()`` the way prefetch_related does."""
    queryset = getattr(instance, name).all()
    queryset._result_cache = rows
    queryset._prefetch_done = True
    instance.__dict__.setdefault("_prefetched_objects_cache", {})[name] = queryset


# --- rendering -------------------------------------------------------------------------------

RACI_WORDS = {
    RaciRole.RESPONSIBLE: RaciRole.RESPONSIBLE.label,
    RaciRole.ACCOUNTABLE: RaciRole.ACCOUNTABLE.label,
    RaciRole.CONSULTED: RaciRole.CONSULTED.label,
    RaciRole.INFORMED: RaciRole.INFORMED.label,
}


def responsibility_matrix(version: AgreementVersion | None) -> dict:
    """Rows grouped by phase, and whether any row names a third party (an extra column)."""
    rows = list(version.responsibilities.all()) if version else []
    has_third_party = any(r.third_party_roles for r in rows)
    by_phase: dict[str, list] = {}
    for row in rows:
        by_phase.setdefault(row.get_phase_display(), []).append(row)
    return {"rows": rows, "by_phase": by_phase, "has_third_party": has_third_party, "legend": RACI_WORDS}


@lru_cache(maxsize=1)
def templates_digest() -> str:
    """A digest of the content templates' source: a changed template makes a new cache key by itself."""
    digest = hashlib.sha256(str(CONTENT_RENDER_VERSION).encode())
    for name in CONTENT_TEMPLATES:
        digest.update(get_template(name).template.source.encode("utf-8"))
    return digest.hexdigest()[:16]


def content_cache_key(agreement: Agreement, version: AgreementVersion) -> str:
    names = hashlib.sha256(f"{agreement.initiative.name}\n{agreement.municipality.name}".encode()).hexdigest()[:16]
    return f"agreement-content:{templates_digest()}:{version.content_hash}:{get_language() or ''}:{names}"


def render_content(agreement: Agreement, version: AgreementVersion | None) -> dict:
    """The content's pieces as HTML: ``sections`` (per key), ``neighbourhoods``, ``matrix``, ``decision_moments``,
    ``escalation_ladder``."""
    bodies = {s.key: s.body for s in version.sections.all()} if version else {}
    return {
        "sections": {
            d.key: render_to_string("agreements/_section_body.html", {"body": bodies.get(d.key, "")}).strip()
            for d in SECTION_DEFINITIONS
        },
        "neighbourhoods": render_to_string(
            "agreements/_neighbourhoods.html", {"neighbourhoods": list(agreement.neighbourhoods.all())}
        ).strip(),
        "matrix": render_to_string(
            "agreements/_matrix.html", {"matrix": responsibility_matrix(version), "agreement": agreement}
        ),
        "decision_moments": render_to_string(
            "agreements/_decisions.html",
            {"decision_moments": list(version.decision_moments.all()) if version else []},
        ),
        "escalation_ladder": render_to_string(
            "agreements/_escalation_ladder.html",
            {"steps": list(version.escalation_steps.all()) if version else []},
        ),
    }


def _rendered(html: str) -> SafeString:
    """A piece this module rendered from the templates (which escape), back from the cache."""
    return mark_safe(html)  # noqa: S308  # nosec B308, B703 # rendered by our escaping templates above


def _safe(pieces: dict) -> dict:
    return {
        "sections": {key: _rendered(html) for key, html in pieces["sections"].items()},
        **{
            name: _rendered(pieces[name])
            for name in ("neighbourhoods", "matrix", "decision_moments", "escalation_ladder")
        },
    }


def _cache_call(what: Callable, *args):
    try:
        return what(*args)
    except Exception:  # a cache outage costs a render, never the page
        logger.warning("The content cache failed; rendering without it.", exc_info=True)
        return None


def content_html(
    agreement: Agreement, version: AgreementVersion | None, *, load: Callable[[], None]
) -> dict[str, SafeString | dict]:
    """The rendered content of ``version``; for a frozen one from the shared cache when it is there.

    ``load`` reads the content when it has to be rendered (and has not been read yet).
    """
    if version is None or not version.is_frozen or not version.content_hash:
        load()
        return _safe(render_content(agreement, version))
    key = content_cache_key(agreement, version)
    cached = _cache_call(cache.get, key)
    if cached is not None:
        return _safe(cached)
    load()
    pieces = render_content(agreement, version)
    _cache_call(cache.set, key, pieces, CACHE_SECONDS)
    return _safe(pieces)


def changed_parts_key(old: AgreementVersion, new: AgreementVersion) -> str | None:
    """Two frozen versions' differences never change: kept under both hashes."""
    if not (old.is_frozen and new.is_frozen and old.content_hash and new.content_hash):
        return None
    return f"agreement-changed:{old.content_hash}:{new.content_hash}"


def cache_get(key: str | None):
    return _cache_call(cache.get, key) if key else None


def cache_set(key: str | None, value) -> None:
    if key:
        _cache_call(cache.set, key, value, CACHE_SECONDS)
