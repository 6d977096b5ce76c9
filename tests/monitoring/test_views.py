"""The overview page and its export: who gets them, what they show, and a query count that does not grow."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.factories import OrganisationFactory

from .dataset import build_dataset, bulk_after_signing, bulk_agreements

OVERVIEW = "monitoring:overview"


@pytest.fixture
def data(db):
    return build_dataset(timezone.now())


def get(client, user, name=OVERVIEW, **params):
    client.force_login(user)
    return client.get(reverse(name), params)


def test_not_signed_in_goes_to_sign_in(client, data):
    for name in (OVERVIEW, "monitoring:export_csv", "monitoring:export_xlsx"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_nobody_without_a_membership_gets_the_page(client, data):
    for name in (OVERVIEW, "monitoring:export_csv", "monitoring:export_xlsx"):
        assert get(client, data.nobody, name).status_code == 403


def test_advisor_sees_only_granted_agreements(client, data):
    response = get(client, data.advisor)
    assert response.status_code == 200
    shown = {a.reference for a in response.context["agreements"]["page"]}
    assert shown == {"S1", "R1"}
    assert response.context["counts"].total == 2
    # Other agreements' municipalities are not even offered in the filter.
    offered = [label for value, label in response.context["form"].fields["municipality"].choices if value]
    assert offered == ["Gemeente Deventer", "Gemeente Zwolle"]


def test_municipality_sees_only_its_own(client, data):
    response = get(client, data.zwolle_reviewer)
    shown = {a.reference for a in response.context["agreements"]["page"]}
    assert shown == {"S1", "S2", "D1", "D2", "A1"}
    content = response.content.decode()
    assert "Gemeente Deventer" not in content
    stalled = [(row["agreement"].reference, row["days"]) for row in response.context["stalled_rows"]]
    assert stalled == [("D1", 70), ("A1", 40)]
    assert "Gemeente Zwolle: ondertekenen" in content
    assert "Buurtwarmte Zwolle-Oost: het concept afmaken en indienen" in content


def test_page_shows_charts_with_tables(client, data):
    content = get(client, data.zwolle_reviewer).content.decode()
    charts = (
        "chart-funnel",
        "chart-time-in-stage",
        "chart-signed-per-month",
        # After signing: the tasks per phase, the decision moments, the evaluations' scores.
        "chart-commitments",
        "chart-decisions",
        "chart-scores",
    )
    for chart_id in charts:
        assert f'aria-labelledby="{chart_id}-title {chart_id}-desc"' in content
    assert content.count('role="img"') == len(charts)
    # One menu entry for the page (the layout's), marked as the current page.
    assert content.count(f'href="{reverse(OVERVIEW)}"') == 1
    assert content.count("<table") >= 6


def test_filters_narrow_the_page(client, data):
    response = get(client, data.zwolle_reviewer, state="draft")
    assert {a.reference for a in response.context["agreements"]["page"]} == {"D1", "D2"}
    response = get(client, data.zwolle_reviewer, stalled="on")
    assert {a.reference for a in response.context["agreements"]["page"]} == {"D1", "A1"}
    # A municipality the viewer cannot see is not a valid choice: it is ignored, not used.
    response = get(client, data.zwolle_reviewer, municipality=data.deventer.pk)
    assert response.status_code == 200
    assert response.context["counts"].total == 5


@pytest.mark.parametrize(("language", "may"), [("nl", "mei"), ("en", "May")])
def test_chart_labels_follow_the_language(client, data, language, may):
    data.zwolle_reviewer.preferred_language = language
    data.zwolle_reviewer.save(update_fields=["preferred_language"])
    content = get(client, data.zwolle_reviewer).content.decode()
    assert f'<html lang="{language}"' in content
    # The last twelve months always include May; its label is drawn in the person's language.
    assert f">{may}</text>" in content


def read_csv(response) -> list[dict]:
    body = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.DictReader(io.StringIO(body)))


def test_csv_export_of_the_filtered_list(client, data):
    from workflow.monitoring.export import EXPORT_COLUMNS

    response = get(client, data.zwolle_reviewer, "monitoring:export_csv", state="signed")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment;" in response["Content-Disposition"]
    rows = read_csv(response)
    assert [r["reference"] for r in rows] == ["S2", "S1"]  # newest state change first
    assert list(rows[0]) == list(EXPORT_COLUMNS)
    s1 = rows[1]
    assert s1["municipality"] == "Gemeente Zwolle" and s1["municipality_cbs_code"] == "GM0193"
    assert s1["province"] == "OV" and s1["phase"] == "development"
    assert s1["state"] == "signed" and s1["state_label"] == "ondertekend"
    assert s1["days_draft_to_signed"] == "25" and s1["stalled"] == "0"
    assert s1["days_in_state"] == "140"
    assert dt.datetime.fromisoformat(s1["signed_at"]).utcoffset() is not None

    stalled = read_csv(get(client, data.zwolle_reviewer, "monitoring:export_csv", stalled="on"))
    assert sorted(r["reference"] for r in stalled) == ["A1", "D1"]
    assert {r["stalled"] for r in stalled} == {"1"}


def test_csv_export_respects_visibility(client, data):
    rows = read_csv(get(client, data.advisor, "monitoring:export_csv"))
    assert sorted(r["reference"] for r in rows) == ["R1", "S1"]


def test_export_neutralises_formulas(client, data):
    from agreements.models import Agreement

    Agreement.objects.filter(reference="S1").update(title='=HYPERLINK("http://x")')
    rows = read_csv(get(client, data.zwolle_reviewer, "monitoring:export_csv", state="signed"))
    assert next(r for r in rows if r["reference"] == "S1")["title"] == '\'=HYPERLINK("http://x")'


def test_csv_export_quotes_every_text_cell(client, data):
    """A `;` or `,` inside a title never starts a new cell, whichever separator a spreadsheet assumes."""
    from agreements.models import Agreement

    Agreement.objects.filter(reference="S1").update(title='Warmte; de "wijk", samen')
    Agreement.objects.filter(reference="S2").update(title="Zon; wind")
    response = get(client, data.zwolle_reviewer, "monitoring:export_csv", state="signed")
    body = b"".join(response.streaming_content).decode("utf-8")
    lines = body.splitlines()
    assert lines[0].startswith('"reference","title","initiative",')
    by_reference = {line.split(",", 1)[0]: line for line in lines[1:]}
    assert by_reference['"S1"'].startswith('"S1","Warmte; de ""wijk"", samen","')
    assert by_reference['"S2"'].startswith('"S2","Zon; wind","')
    # Numbers stay bare: days in state (140), stalled (0), then the quoted dates.
    assert ',140,0,"' in by_reference['"S1"']
    rows = {r["reference"]: r for r in csv.DictReader(io.StringIO(body))}
    assert rows["S1"]["title"] == 'Warmte; de "wijk", samen'
    assert rows["S2"]["title"] == "Zon; wind"
    assert rows["S1"]["days_draft_to_signed"] == "25"


def test_xlsx_export_has_the_same_columns(client, data):
    from openpyxl import load_workbook

    from workflow.monitoring.export import EXPORT_COLUMNS

    response = get(client, data.zwolle_reviewer, "monitoring:export_xlsx", state="signed")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == EXPORT_COLUMNS
    assert [r[0] for r in rows[1:]] == ["S2", "S1"]
    s1 = dict(zip(EXPORT_COLUMNS, rows[2], strict=True))
    assert s1["days_draft_to_signed"] == 25
    assert isinstance(s1["signed_at"], dt.datetime)


def _queries_for_overview_and_export(client, user) -> tuple[int, int, int]:
    """Queries of the page with its cached figures still to compute, of the page again, and of the export."""
    from django.core.cache import cache

    client.force_login(user)
    cache.clear()  # the rows were written without the services, which would renew the figures' tokens
    with CaptureQueriesContext(connection) as cold:
        assert client.get(reverse(OVERVIEW)).status_code == 200
    with CaptureQueriesContext(connection) as warm:
        assert client.get(reverse(OVERVIEW)).status_code == 200
    with CaptureQueriesContext(connection) as export:
        response = client.get(reverse("monitoring:export_csv"))
        b"".join(response.streaming_content)
    return len(cold), len(warm), len(export)


def test_query_count_does_not_grow_with_the_data(client, db):
    from agreements.choices import MembershipRole
    from agreements.models import AdvisorAccess, Agreement, Membership
    from tests.factories import UserFactory, member

    now = timezone.now()
    municipalities = [OrganisationFactory(municipality=True) for _ in range(30)]
    initiative = OrganisationFactory()
    creator = UserFactory()
    advisor_org = OrganisationFactory(advisor=True)
    advisor = member(advisor_org, MembershipRole.DRAFTER)

    def grant_all():
        AdvisorAccess.objects.bulk_create(
            [
                AdvisorAccess(agreement_id=pk, organisation=advisor_org, granted_by=creator)
                for pk in Agreement.objects.exclude(advisor_accesses__organisation=advisor_org).values_list(
                    "pk", flat=True
                )
            ],
            batch_size=2000,
        )

    # Each way of seeing agreements: the advisor's grants, one municipality, and an initiative's
    # member who also advises (the union of two branches).
    reviewer = member(municipalities[0], MembershipRole.REVIEWER)
    both = member(initiative, MembershipRole.DRAFTER)
    Membership.objects.create(user=both, organisation=advisor_org, role=MembershipRole.DRAFTER)
    people = (advisor, reviewer, both)

    # The first ten in the reviewer's municipality, so that every list on their page has rows too.
    bulk_agreements(10, municipalities=municipalities[:1], initiative=initiative, creator=creator, now=now, prefix="A")
    bulk_after_signing("A", creator=creator, now=now)
    grant_all()
    small = [_queries_for_overview_and_export(client, person) for person in people]

    bulk_agreements(9990, municipalities=municipalities, initiative=initiative, creator=creator, now=now, prefix="B")
    bulk_after_signing("B", creator=creator, now=now)
    grant_all()
    assert Agreement.objects.count() == 10000
    large = [_queries_for_overview_and_export(client, person) for person in people]
    assert large == small
    # The figures that need no clock come from the cache the second time.
    assert all(warm < cold for cold, warm, _export in large)


def test_xlsx_refuses_a_list_too_long_for_a_spreadsheet(client, data, monkeypatch):
    from workflow.monitoring import export

    monkeypatch.setattr(export, "XLSX_MAX_ROWS", 3)
    response = get(client, data.zwolle_reviewer, "monitoring:export_xlsx")
    assert response.status_code == 400
    assert "download als CSV" in response.content.decode()
    page = get(client, data.zwolle_reviewer).content.decode()
    assert reverse("monitoring:export_xlsx") not in page
    # Filtered down to two, it fits.
    assert get(client, data.zwolle_reviewer, "monitoring:export_xlsx", state="signed").status_code == 200


def test_lists_are_paginated(client, data):
    bulk_agreements(
        30, municipalities=[data.zwolle], initiative=data.ini_zwolle, creator=data.creator, now=timezone.now()
    )
    first = get(client, data.zwolle_reviewer)
    assert first.context["agreements"]["page"].paginator.count == 35
    assert len(first.context["agreements"]["page"]) == 25
    assert "pagina=2#afspraken" in first.context["agreements"]["next_url"]
    second = get(client, data.zwolle_reviewer, pagina=2, state="")
    page = second.context["agreements"]["page"]
    assert (page.number, len(page)) == (2, 10)
    assert "Pagina 2 van 2" in second.content.decode()
    # The earlier rows are not repeated on the second page.
    assert not {a.pk for a in page} & {a.pk for a in first.context["agreements"]["page"]}


def test_readme_documents_every_export_column():
    import re
    from pathlib import Path

    from workflow.monitoring.export import COMMITMENT_COLUMNS, EXPORT_COLUMNS

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Monitoring export", 1)[1].split("\n## ", 1)[0]
    # One table per export: the agreements, then the commitments (uitvoering.csv).
    tables: list[list[str]] = []
    in_table = False
    for line in section.splitlines():
        if line.startswith("| column"):
            tables.append([])
            in_table = True
        elif in_table and line.startswith("| `"):
            tables[-1] += re.findall(r"`([a-z_]+)`", line.split("|")[1])
        elif not line.startswith("|"):
            in_table = False
    assert tables == [list(EXPORT_COLUMNS), list(COMMITMENT_COLUMNS)]


def key_figures(content: str) -> dict[str, str]:
    import re

    figures = re.search(r'<dl class="mon-figures">(.*?)</dl>', content, re.S).group(1)
    return dict(re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", figures))


def test_key_figures_say_which_signed_they_count(client, data):
    """Ever signed (expired and superseded included) and in force now are two figures with two names."""
    from agreements.models import Agreement

    Agreement.objects.filter(reference="S1").update(state="expired")
    content = get(client, data.zwolle_reviewer).content.decode()
    figures = key_figures(content)
    assert figures["Ooit ondertekend"] == "2" and figures["Nu van kracht"] == "1"
    assert "Ondertekend" not in figures  # never a bare "Ondertekend" beside the status table's
    assert "verlopen of vervangen" in content
    # The status table counts the state now, and agrees with "Nu van kracht".
    response = get(client, data.zwolle_reviewer)
    by_state = {str(row["label"]): row["count"] for row in response.context["state_rows"]}
    assert by_state["ondertekend"] == 1


def test_short_durations_are_drawn_in_hours(client, data):
    """Agreements signed within the hour: the chart's ticks and the tables speak of hours, not "0,0" days."""
    from django.db.models import F

    from agreements.models import Agreement

    minute = dt.timedelta(minutes=1)
    Agreement.objects.filter(signed_at__isnull=False).update(
        submitted_at=F("created_at") + 10 * minute,
        approved_at=F("created_at") + 25 * minute,
        signed_at=F("created_at") + 40 * minute,
    )
    response = get(client, data.zwolle_reviewer)
    content = response.content.decode()
    assert "Mediaan in uur." in content
    import xml.etree.ElementTree as ET

    chart = ET.fromstring(str(response.context["time_chart"]))
    labels = [t.text for t in chart.iter("{http://www.w3.org/2000/svg}text")]
    assert labels[-1] == "uur"
    ticks = labels[-6:-1]
    assert ticks[0] == "0" and len(set(ticks)) == 5
    assert all(tick != "0,0" for tick in ticks)
    assert "0,7 uur" in content  # 40 minutes from draft to signed, in the table
    assert "0,0 dagen" not in content


def test_csv_for_dutch_excel_has_a_bom_semicolons_and_the_same_columns(client, data):
    """Dutch Excel splits on `;` and needs the byte order mark to read ë and € as UTF-8."""
    from agreements.models import Agreement
    from workflow.monitoring.export import EXPORT_COLUMNS

    Agreement.objects.filter(reference="S1").update(title="Coöperatie; € 5.000 voor de wijk")
    standard = b"".join(get(client, data.zwolle_reviewer, "monitoring:export_csv", state="signed").streaming_content)
    response = get(client, data.zwolle_reviewer, "monitoring:export_csv_excel_nl", state="signed")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'excel-nl.csv"' in response["Content-Disposition"]
    excel = b"".join(response.streaming_content)
    assert excel.startswith(b"\xef\xbb\xbf") and not standard.startswith(b"\xef\xbb\xbf")
    text = excel.decode("utf-8-sig")
    assert text.splitlines()[0] == ";".join(f'"{c}"' for c in EXPORT_COLUMNS)
    rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    assert list(rows[0]) == list(EXPORT_COLUMNS)
    by_reference = {r["reference"]: r for r in rows}
    assert by_reference["S1"]["title"] == "Coöperatie; € 5.000 voor de wijk"
    assert '"S1";"Coöperatie; € 5.000 voor de wijk";' in text  # text quoted, the `;` inside stays in its cell
    # Everything else as in the standard CSV.
    standard_rows = list(csv.DictReader(io.StringIO(standard.decode("utf-8"))))
    assert rows == standard_rows
    page = get(client, data.zwolle_reviewer).content.decode()
    assert "CSV voor Excel (NL)" in page and reverse("monitoring:export_csv_excel_nl") in page
