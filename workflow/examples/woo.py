"""The Woo publication package of a public example: its PDF without personal data and its metadata.

Under the Woo (article 3.3, second paragraph, f) a municipality actively publishes its covenants. The
package is a ZIP with the document as PDF (the public text only: no person's name, e-mail address or
comment) and ``metadata.xml``: the document's metadata as an entry of a sitemap with the DiWoo extension,
element names after KOOP's "DiWoo metadata" standard, version 0.9.1 (namespace
https://standaarden.overheid.nl/diwoo/metadata/). The organisation is named by its TOOI identifier
(https://identifier.overheid.nl/tooi/id/gemeente/gm0193), the information category "convenanten" by its
TOOI concept. The file is not validated against the standard's XSD: no validator is at hand offline.
"""

from __future__ import annotations

import io
import zipfile
from xml.etree import ElementTree as ET  # nosec B405 # we write XML, we never parse any

from django.template.loader import render_to_string
from django.utils import timezone, translation

from agreements.models import PublicExample
from agreements.pdf import html_to_pdf
from workflow.examples.presentation import public_content

DIWOO = "https://standaarden.overheid.nl/diwoo/metadata/"
SITEMAP = "http://www.sitemaps.org/schemas/sitemap/0.9"
TOOI_MUNICIPALITY = "https://identifier.overheid.nl/tooi/id/gemeente/{code}"
# The Woo information category "convenanten" (article 3.3, second paragraph, f) in TOOI's list of Woo categories.
CATEGORY_COVENANTS = "https://identifier.overheid.nl/tooi/def/thes/kern/c_9fe65c9f"
LANGUAGE_NAMES = {"nl": "Nederlands", "en": "Engels"}


def document_pdf(example: PublicExample) -> bytes:
    with translation.override(example.language or "nl"):
        html = render_to_string("examples/woo_document.html", {"example": example, **public_content(example)})
    return html_to_pdf(html)


def metadata_xml(example: PublicExample, *, document_url: str, pdf_name: str) -> bytes:
    ET.register_namespace("", SITEMAP)
    ET.register_namespace("diwoo", DIWOO)

    def d(parent, tag: str, text: str | None = None, **attributes) -> ET.Element:
        element = ET.SubElement(parent, f"{{{DIWOO}}}{tag}", attributes)
        if text is not None:
            element.text = text
        return element

    municipality = example.municipality
    organisation = TOOI_MUNICIPALITY.format(code=(municipality.cbs_code or "").lower())
    urlset = ET.Element(f"{{{SITEMAP}}}urlset")
    url = ET.SubElement(urlset, f"{{{SITEMAP}}}url")
    ET.SubElement(url, f"{{{SITEMAP}}}loc").text = document_url
    ET.SubElement(url, f"{{{SITEMAP}}}lastmod").text = example.published_at.date().isoformat()
    metadata = d(d(url, "Document"), "DiWoo")
    d(d(metadata, "identifiers"), "identifier", example.agreement.reference)
    d(metadata, "publisher", municipality.name, resource=organisation)
    d(metadata, "verantwoordelijke", municipality.name, resource=organisation)
    d(metadata, "opsteller", municipality.name, resource=organisation)
    d(metadata, "naamOpsteller", f"{example.initiative_name}; {municipality.name}")
    titles = d(metadata, "titelcollectie")
    d(titles, "officieleTitel", example.title)
    if example.content.get("summary"):
        d(d(metadata, "omschrijvingen"), "omschrijving", example.content["summary"])
    # The language and the kind of action as words only: their TOOI concepts were not at hand to check.
    d(metadata, "taal", LANGUAGE_NAMES.get(example.language, "Nederlands"))
    if example.signed_on:
        d(metadata, "creatiedatum", example.signed_on.isoformat())
    classification = d(metadata, "classificatiecollectie")
    categories = d(classification, "informatiecategorieen")
    d(categories, "informatiecategorie", "convenanten", resource=CATEGORY_COVENANTS)
    actions = d(metadata, "documenthandelingen")
    action = d(actions, "documenthandeling")
    d(action, "soortHandeling", "ondertekening")
    d(action, "atTime", (example.signed_on or timezone.localdate()).isoformat())
    d(action, "wasAssociatedWith", municipality.name, resource=organisation)
    d(metadata, "bestandsnaam", pdf_name)
    d(metadata, "bestandsformaat", "application/pdf")
    ET.indent(urlset)
    return ET.tostring(urlset, encoding="utf-8", xml_declaration=True)


def publication_package(example: PublicExample, *, document_url: str) -> bytes:
    """The ZIP a municipality publishes: the PDF and its metadata."""
    pdf_name = f"{example.slug}.pdf"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(pdf_name, document_pdf(example))
        archive.writestr("metadata.xml", metadata_xml(example, document_url=document_url, pdf_name=pdf_name))
    return buffer.getvalue()
