"""Reads of model agreements: which are offered when an agreement starts, and a municipality's own."""

from __future__ import annotations

from django.db.models import Case, F, IntegerField, Value, When

from agreements.choices import AgreementForm, Language
from agreements.models import ModelAgreement, Organisation, PublicExample

# Light to heavy, the order in which the forms are offered.
FORM_ORDER = Case(
    *(When(form=form, then=Value(position)) for position, form in enumerate(AgreementForm.values)),
    output_field=IntegerField(),
)


def offered_models(*, language: str) -> list[ModelAgreement]:
    """Every model offered today, one row per model: Samenkader's (light to heavy), then the municipalities'.

    A model written in both languages shows in ``language``; one written in a single language shows in that one.
    """
    rows = (
        ModelAgreement.objects.filter(retired_at__isnull=True)
        .select_related("owner")
        .annotate(form_position=FORM_ORDER)
        .order_by("owner__name", "form_position", "name", "slug", "language")
    )
    by_slug: dict[str, ModelAgreement] = {}
    for row in rows:
        chosen = by_slug.get(row.slug)
        if chosen is None or (row.language == language and chosen.language != language):
            by_slug[row.slug] = row
    shipped = [m for m in by_slug.values() if m.owner_id is None]
    own = [m for m in by_slug.values() if m.owner_id is not None]
    return shipped + own


def model_to_start_from(*, slug: str, language: str) -> ModelAgreement | None:
    """The model offered under ``slug`` in the agreement's language, or in the one language it has."""
    rows = list(ModelAgreement.objects.filter(slug=slug, retired_at__isnull=True).select_related("owner"))
    for row in rows:
        if row.language == language:
            return row
    return rows[0] if rows else None


def shipped_model_for(*, form: str, language: str = Language.DUTCH) -> ModelAgreement | None:
    """Samenkader's current model of a form: where a municipality's own model starts."""
    return (
        ModelAgreement.objects.filter(owner__isnull=True, form=form, language=language, retired_at__isnull=True)
        .order_by("slug")
        .first()
    )


def models_of(municipality: Organisation) -> list[ModelAgreement]:
    """A municipality's own models, the offered ones first, then those it no longer offers (newest first)."""
    return list(
        ModelAgreement.objects.filter(owner=municipality).order_by(
            F("retired_at").desc(nulls_first=True), "name", "language", "-revision"
        )
    )


def public_example_to_start_from(slug: str) -> PublicExample | None:
    """A public example on show on the examples page, to start a new agreement from (None when it is not on show)."""
    if not slug:
        return None
    return PublicExample.objects.filter(slug=slug, withdrawn_at__isnull=True).select_related("municipality").first()
