"""The interactive API docs: Swagger UI from our own static files (drf-spectacular's sidecar), no CDN.

Its split view loads the set-up as a script of its own and our template
(templates/drf_spectacular/swagger_ui.html) has no inline style, so the
page runs under the site's Content-Security-Policy; the one thing added,
for this page only, is ``data:`` images: Swagger UI draws its icons as data: SVGs.
"""

from __future__ import annotations

from csp.decorators import csp_update
from django.utils.decorators import method_decorator
from drf_spectacular.views import SpectacularSwaggerSplitView


@method_decorator(csp_update({"img-src": ["data:"]}), name="dispatch")
class ApiDocs(SpectacularSwaggerSplitView):
    pass
