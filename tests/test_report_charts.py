"""The reports' SVG charts: one accessible image each, labels escaped, sizes that follow the figures."""

from __future__ import annotations

import re
from xml.etree import ElementTree

import pytest

from portal.services.report_charts import bar_chart, column_chart, format_number, line_chart

SVG = "{http://www.w3.org/2000/svg}"
CHARTS = (bar_chart, column_chart, line_chart)


def _parse(markup: str) -> ElementTree.Element:
    return ElementTree.fromstring(str(markup))


@pytest.mark.parametrize("chart", CHARTS, ids=lambda chart: chart.__name__)
def test_each_chart_is_one_titled_image_that_scales_to_its_container(chart):
    svg = _parse(chart([("Week 1", 3), ("Week 2", 5)], title="Applications per week", chart_id="weekly"))

    assert svg.get("role") == "img"
    assert svg.get("width") == "100%"
    assert svg.get("viewBox").startswith("0 0 480 ")
    assert svg.find(f"{SVG}title").text == "Applications per week"
    assert "Week 2: 5" in svg.find(f"{SVG}desc").text
    assert svg.get("aria-labelledby") == "weekly-title weekly-desc"


@pytest.mark.parametrize("chart", CHARTS, ids=lambda chart: chart.__name__)
def test_a_label_from_an_answer_is_text_not_markup(chart):
    markup = str(chart([('<script>alert(1)</script>" onload="x', 2)], title="<b>Heard about</b>"))

    assert "<script>" not in markup and "<b>" not in markup
    assert 'onload="x' not in markup
    assert "&lt;script&gt;" in markup
    _parse(markup)  # still well-formed


def test_bar_lengths_follow_the_values():
    svg = _parse(bar_chart([("Submitted", 40), ("Accepted", 10), ("Declined", 0)], title="Funnel"))
    widths = {rect.get("data-label"): float(rect.get("width")) for rect in svg.iter(f"{SVG}rect")}

    assert widths["Submitted"] == pytest.approx(4 * widths["Accepted"])
    assert widths["Declined"] <= 1
    values = [text.text for text in svg.iter(f"{SVG}text") if "report-chart__value" in text.get("class")]
    assert values == ["40", "10", "0"]


def test_columns_sit_on_a_scale_whose_top_covers_the_highest_value():
    svg = _parse(column_chart([("6 Oct", 7), ("13 Oct", 23)], title="Per week"))
    ticks = [text.text for text in svg.iter(f"{SVG}text") if "report-chart__tick" in text.get("class")]

    assert ticks[0] == "0" and float(ticks[-1]) >= 23
    heights = [float(rect.get("height")) for rect in svg.iter(f"{SVG}rect")]
    assert heights[1] == pytest.approx(heights[0] * 23 / 7, rel=0.02)


def test_many_weeks_get_at_most_six_labels_along_the_bottom():
    rows = [(f"w{index}", index) for index in range(30)]
    svg = _parse(line_chart(rows, title="Per week"))
    labels = [text for text in svg.iter(f"{SVG}text") if "report-chart__axis-label" in text.get("class")]

    assert 1 < len(labels) <= 6
    assert len(list(svg.iter(f"{SVG}circle"))) == 30


@pytest.mark.parametrize("chart", CHARTS, ids=lambda chart: chart.__name__)
def test_no_figures_says_so_in_the_image(chart):
    svg = _parse(chart([], title="Per week"))

    assert svg.find(f"{SVG}desc").text == "No figures for this selection."
    assert not list(svg.iter(f"{SVG}rect"))


def test_numbers_are_written_whole_or_to_one_decimal_with_their_unit():
    assert format_number(1200) == "1,200"
    assert format_number(2.26, " days") == "2.3 days"
    assert format_number(75.0, "%") == "75%"
    assert re.fullmatch(r"\d\.\d h", format_number(3.14159, " h"))
