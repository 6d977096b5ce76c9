"""The public verification page (issue: signed record 2/2)."""

from django.http import HttpResponse


def verify(request):
    return HttpResponse(status=501)
