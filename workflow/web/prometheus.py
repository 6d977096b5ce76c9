"""django-prometheus's request counting, made safe for requests Django itself answers with 400."""

from __future__ import annotations

from django_prometheus.middleware import PrometheusAfterMiddleware


class RequestFiguresMiddleware(PrometheusAfterMiddleware):
    """django-prometheus reads Content-Length with int(): a garbled header ("abc") would become a 500 there,
    before Django's own request parsing answers it with a clean 400. Such a request is simply not measured."""

    def process_request(self, request):
        try:
            int(request.headers.get("content-length") or 0)
        except ValueError:
            return None
        return super().process_request(request)
