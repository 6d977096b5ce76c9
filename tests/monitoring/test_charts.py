"""The SVG builders: well-formed, labelled for assistive technology, text escaped."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from workflow.monitoring import charts

NS = {"svg": "http://www.w3.org/2000/svg"}


def parse(markup: str) -> ET.Element:
    return ET.fromstring(str(markup))


def assert_labelled(root: ET.Element, chart_id: str, title: str, description: str) -> None:
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == f"{chart_id}-title {chart_id}-desc"
    assert root.find("svg:title", NS).get("id") == f"{chart_id}-title"
    assert root.find("svg:title", NS).text == title
    assert root.find("svg:desc", NS).get("id") == f"{chart_id}-desc"
    assert root.find("svg:desc", NS).text == description


def texts(root: ET.Element) -> list[str]:
    return [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]


def test_funnel_has_one_bar_per_step_scaled_to_the_largest():
    markup = charts.funnel_svg(
        [("concept", 10), ("in beoordeling", 5), ("ondertekend", 0)],
        chart_id="f",
        title="Trechter",
        description="Van 10 naar 0",
        empty_text="Leeg",
    )
    root = parse(markup)
    assert_labelled(root, "f", "Trechter", "Van 10 naar 0")
    widths = [float(r.get("width")) for r in root.iter("{http://www.w3.org/2000/svg}rect")]
    assert len(widths) == 2 and widths[0] == 2 * widths[1]
    assert texts(root) == ["concept", "10", "in beoordeling", "5", "ondertekend", "0"]


def test_text_is_escaped():
    markup = charts.funnel_svg(
        [("<script>alert(1)</script> & co", 3)],
        chart_id="x",
        title='Titel "met" <tekens>',
        description="a & b",
        empty_text="",
    )
    assert "<script>" not in markup
    root = parse(markup)
    assert texts(root)[0] == "<script>alert(1)</script> & co"
    assert root.find("svg:title", NS).text == 'Titel "met" <tekens>'


def test_stacked_bars_legend_rows_and_axis():
    markup = charts.stacked_bars_svg(
        ["Gemeente Zwolle", "Gemeente Deventer"],
        ["Opstellen", "Beoordelen", "Ondertekenen"],
        [[15, 7.5, 7.5], [17.5, 17.5, None]],
        chart_id="t",
        title="Tijd",
        description="Mediaan",
        empty_text="Leeg",
        unit="dagen",
    )
    root = parse(markup)
    assert_labelled(root, "t", "Tijd", "Mediaan")
    labels = texts(root)
    for expected in ("Opstellen", "Beoordelen", "Ondertekenen", "Gemeente Zwolle", "Gemeente Deventer", "dagen"):
        assert expected in labels
    assert "30,0" in labels and "35,0" in labels  # totals, in Dutch notation
    rects = list(root.iter("{http://www.w3.org/2000/svg}rect"))
    assert len(rects) == 3 + 3 + 2  # legend swatches, then the segments (an empty one is left out)


def test_columns_two_line_labels():
    markup = charts.columns_svg(
        [("jan\n2026", 1), ("feb\n2026", 0), ("mrt\n2026", 4)],
        chart_id="m",
        title="Per maand",
        description="5 in totaal",
        empty_text="Leeg",
    )
    root = parse(markup)
    assert_labelled(root, "m", "Per maand", "5 in totaal")
    assert len(list(root.iter("{http://www.w3.org/2000/svg}rect"))) == 2
    assert texts(root).count("2026") == 3


def test_empty_charts_say_so():
    for markup in (
        charts.funnel_svg([], chart_id="a", title="T", description="D", empty_text="Nog niets"),
        charts.stacked_bars_svg([], [], [], chart_id="b", title="T", description="D", empty_text="Nog niets", unit=""),
        charts.columns_svg([], chart_id="c", title="T", description="D", empty_text="Nog niets"),
    ):
        root = parse(markup)
        assert root.get("role") == "img"
        assert texts(root) == ["Nog niets"]


def test_no_chart_carries_a_style_attribute():
    """The Content-Security-Policy refuses inline styles, inside an inline SVG too: the font comes from CSS."""
    every_chart = [
        charts.funnel_svg([("a", 3), ("b", 1)], chart_id="f", title="t", description="d", empty_text="e"),
        charts.funnel_svg([], chart_id="e", title="t", description="d", empty_text="e"),
        charts.stacked_bars_svg(
            ["x"], ["a", "b"], [[1.0, 2.0]], chart_id="s", title="t", description="d", empty_text="e", unit="u"
        ),
        charts.columns_svg(
            [("jan\n2026", 2), ("feb\n2026", 0)], chart_id="c", title="t", description="d", empty_text="e"
        ),
    ]
    for markup in every_chart:
        root = parse(markup)
        assert "sk-chart" in root.get("class")
        assert all(element.get("style") is None for element in root.iter())


def axis_ticks(root: ET.Element) -> list[str]:
    """The tick labels under the axis: the texts between the last bar total and the unit."""
    labels = texts(root)
    return labels[-6:-1]


def test_stacked_bars_ticks_come_from_the_data_range():
    """Short durations (a few tenths of an hour) get ticks that say so, not "0,0" five times."""
    markup = charts.stacked_bars_svg(
        ["Gemeente Zwolle", "Gemeente Deventer"],
        ["Opstellen", "Beoordelen", "Ondertekenen"],
        [[0.2, 0.1, 0.05], [0.1, 0.1, 0.1]],
        chart_id="t",
        title="Tijd",
        description="Mediaan",
        empty_text="Leeg",
        unit="uur",
    )
    ticks = axis_ticks(parse(markup))
    assert ticks == ["0", "0,1", "0,2", "0,3", "0,4"]
    assert len(set(ticks)) == 5


def test_stacked_bars_ticks_for_long_durations_are_whole_numbers():
    markup = charts.stacked_bars_svg(
        ["Gemeente Zwolle"],
        ["Opstellen"],
        [[35.0]],
        chart_id="t",
        title="Tijd",
        description="Mediaan",
        empty_text="Leeg",
        unit="dagen",
    )
    assert axis_ticks(parse(markup)) == ["0", "10", "20", "30", "40"]
