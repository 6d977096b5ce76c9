"""The public verification page: anyone can check whether a PDF is the genuine signed document.

No sign-in. Limited per client address (a fixed window counted in Django's
cache), uploads limited in size and refused when they are not a PDF. The
answer never shows the agreement's text (see workflow/verification.py).
"""

from __future__ import annotations

import logging
import time

from django import forms
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from ..verification import Verdict, Verification, verify_file, verify_hash

logger = logging.getLogger(__name__)

# What a multipart body may carry beyond the file itself (boundaries, the reference field).
UPLOAD_OVERHEAD = 64 * 1024


class FileForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("PDF-bestand"),
        help_text=gettext_lazy(
            "Het bestand blijft niet bewaard. Wij berekenen alleen de vingerafdruk en lezen het zegel."
        ),
    )
    reference = forms.CharField(
        label=gettext_lazy("Kenmerk van de afspraak (niet verplicht)"),
        help_text=gettext_lazy(
            "Bijvoorbeeld SK-2026-0123. Dan controleren wij ook of het bestand bij die afspraak hoort."
        ),
        required=False,
        max_length=20,
    )


class HashForm(forms.Form):
    reference = forms.CharField(label=gettext_lazy("Kenmerk van de afspraak"), max_length=20)
    sha256 = forms.CharField(
        label=gettext_lazy("SHA-256 van het bestand"),
        help_text=gettext_lazy("64 tekens, 0-9 en a-f. Bijvoorbeeld uit het programma sha256sum."),
        max_length=80,
    )


def client_address(request: HttpRequest) -> str:
    # REMOTE_ADDR is the client's address: the proxy setting is applied by middleware before views run.
    return request.META.get("REMOTE_ADDR") or "unknown"


def rate_limited(request: HttpRequest) -> bool:
    """A fixed window per address: at most VERIFY_RATE_LIMIT checks per VERIFY_RATE_WINDOW_SECONDS."""
    window = settings.VERIFY_RATE_WINDOW_SECONDS
    key = f"verify-rate:{client_address(request)}:{int(time.time() // window)}"
    cache.add(key, 0, timeout=window + 5)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window + 5)
        count = 1
    return count > settings.VERIFY_RATE_LIMIT


def _page(request, *, file_form=None, hash_form=None, result: Verification | None = None, status: int = 200):
    return render(
        request,
        "verify/verify.html",
        {
            "file_form": file_form or FileForm(),
            "hash_form": hash_form or HashForm(),
            "result": result,
            "max_mb": settings.VERIFY_MAX_UPLOAD_BYTES // (1024 * 1024),
            "Verdict": Verdict,
        },
        status=status,
    )


def _refused(message: str) -> Verification:
    return Verification(verdict=Verdict.INVALID, message=message)


# A public page that changes nothing and knows nobody: a forged cross-site
# post could only make someone's browser check a file. Exempt, so that the CSRF
# middleware does not parse an oversize upload before the size check below.
@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _page(request)
    if rate_limited(request):
        logger.info("Verification rate limit reached for an address")
        return _page(
            request,
            result=_refused(
                _("U heeft de laatste tijd veel bestanden gecontroleerd. Probeer het over een tijdje opnieuw.")
            ),
            status=429,
        )
    limit = settings.VERIFY_MAX_UPLOAD_BYTES
    too_large = _("Dit bestand is te groot. Een getekende afspraak is kleiner dan %(mb)s MB.") % {"mb": limit // 2**20}
    # Refuse an oversize body before anything reads it from the network: this
    # check comes before the first touch of request.POST (hence no CSRF
    # middleware reading it first, see the decorator).
    try:
        declared_length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return _page(request, result=_refused(_("Dit verzoek kunnen we niet lezen.")), status=400)
    if declared_length > limit + UPLOAD_OVERHEAD:
        return _page(request, result=_refused(too_large), status=413)
    if request.POST.get("mode") == "hash":
        hash_form = HashForm(request.POST)
        if not hash_form.is_valid():
            return _page(request, hash_form=hash_form, status=400)
        result = verify_hash(reference=hash_form.cleaned_data["reference"], sha256=hash_form.cleaned_data["sha256"])
        return _page(
            request, hash_form=hash_form, result=result, status=400 if result.verdict == Verdict.INVALID else 200
        )

    file_form = FileForm(request.POST, request.FILES)
    if not file_form.is_valid():
        return _page(request, file_form=file_form, status=400)
    upload = file_form.cleaned_data["file"]
    if upload.size > limit:
        return _page(request, file_form=FileForm(), result=_refused(too_large), status=413)
    data = upload.read(limit + 1)
    result = verify_file(data=data, reference=file_form.cleaned_data["reference"])
    status = 415 if result.verdict == Verdict.NOT_PDF else 200
    # The form is not sent back with the file; the reference is kept for a second try.
    return _page(
        request,
        file_form=FileForm(initial={"reference": file_form.cleaned_data["reference"]}),
        result=result,
        status=status,
    )
