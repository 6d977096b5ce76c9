"""Pages everyone may read: the accessibility statement and the privacy statement."""

from django.shortcuts import render


def accessibility(request):
    return render(request, "pages/accessibility.html")


def privacy(request):
    return render(request, "pages/privacy.html")
