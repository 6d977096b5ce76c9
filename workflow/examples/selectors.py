"""Reads of the public examples: the list with its search and filters, one example, its lessons and reuse."""

from __future__ import annotations

from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet

from agreements.models import Agreement, Lesson, Organisation, PublicExample

PAGE_SIZE = 20


def public_examples(
    *, q: str = "", form: str = "", phase: str = "", province: str = "", municipality: int | None = None
) -> QuerySet[PublicExample]:
    """The examples on show, newest first, narrowed by a search word and the filters."""
    rows = PublicExample.objects.filter(withdrawn_at__isnull=True).select_related("municipality")
    if q:
        rows = rows.filter(
            Q(title__icontains=q)
            | Q(initiative_name__icontains=q)
            | Q(municipality__name__icontains=q)
            | Q(content__summary__icontains=q)
        )
    if form:
        rows = rows.filter(form=form)
    if phase:
        rows = rows.filter(phase=phase)
    if province:
        rows = rows.filter(municipality__province=province)
    if municipality:
        rows = rows.filter(municipality_id=municipality)
    return rows.order_by("-published_at", "-pk")


def public_example_page(rows: QuerySet[PublicExample], page: str | None) -> Page:
    return Paginator(rows, PAGE_SIZE).get_page(page)


def municipalities_with_examples() -> QuerySet[Organisation]:
    """The municipalities the filter offers: those with an example on show."""
    return Organisation.objects.filter(
        pk__in=PublicExample.objects.filter(withdrawn_at__isnull=True).values("municipality_id")
    ).order_by("name")


def public_example_get(slug: str) -> PublicExample | None:
    return PublicExample.objects.filter(slug=slug, withdrawn_at__isnull=True).select_related("municipality").first()


def reuse_count(example: PublicExample) -> int:
    """How many agreements started from this example."""
    return Agreement.objects.filter(started_from_example=example).count()


def shared_lessons_of(agreement_id: int) -> list[Lesson]:
    """The lessons the parties shared, without who wrote them (the page shows party, phase and topic)."""
    return list(
        Lesson.objects.filter(agreement_id=agreement_id, shared=True)
        .select_related("party")
        .only("party__name", "party__kind", "phase", "topic", "worked", "did_not_work", "created_at")
    )
