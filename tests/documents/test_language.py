"""The PDF speaks the agreement's language, whatever language the person asking for it uses."""

from __future__ import annotations

import pytest
from django.utils import translation

from agreements import pdf
from agreements.models import Agreement
from tests.documents.helpers import signed_agreement

pytestmark = pytest.mark.django_db


def test_layout_follows_the_agreement_language(world):
    agreement = signed_agreement(world)
    version = agreement.frozen_version()
    with translation.override("en"):
        dutch = pdf.render_html(version)
    assert '<html lang="nl">' in dutch
    assert "Bijlage: Verloop van de ondertekening" in dutch
    assert '"pagina " counter(page) " van " counter(pages)' in dutch

    Agreement.objects.filter(pk=agreement.pk).update(language="en")
    version = Agreement.objects.get(pk=agreement.pk).frozen_version()
    english = pdf.render_html(version)
    assert '<html lang="en">' in english
    assert '"page " counter(page) " of " counter(pages)' in english
    assert "Verloop van de ondertekening" not in english
