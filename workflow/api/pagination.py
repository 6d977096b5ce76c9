"""Page numbers for the agreement list, with its count from the shared cache.

Counting every agreement a person sees costs more than the page itself once they see thousands (5 ms of the
request at 20,000): the count is kept per person and state filter under the tokens of their organisations and
of everyone (``core/figures.py person_figure_key``), which any change to an agreement they see renews.
"""

from __future__ import annotations

import functools

from django.core.paginator import Paginator
from django.utils.functional import cached_property
from rest_framework.pagination import PageNumberPagination

from workflow.core.figures import cached_figure, person_figure_key


class _CachedCountPaginator(Paginator):
    def __init__(self, object_list, per_page, *, figure_key: tuple, figure_parts: tuple, **kwargs) -> None:
        super().__init__(object_list, per_page, **kwargs)
        self.figure_key, self.figure_parts = figure_key, figure_parts

    @cached_property
    def count(self) -> int:
        return cached_figure(
            "api-agreement-count", key=self.figure_key, parts=self.figure_parts, compute=self.object_list.count
        )


class AgreementPagination(PageNumberPagination):
    """DRF's page numbers (``PAGE_SIZE`` a page, ``?page=``); the total from the cache."""

    def paginate_queryset(self, queryset, request, view=None):
        self.django_paginator_class = functools.partial(
            _CachedCountPaginator,
            figure_key=person_figure_key(request.user),
            figure_parts=(request.query_params.get("state") or "",),
        )
        return super().paginate_queryset(queryset, request, view)
