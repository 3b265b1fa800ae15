"""The cheese-festival table and the widget that redraws it."""
import ipywidgets as widgets
import pytest

from nnlib.widgets.festival import (
    festival_table,
    festival_table_html,
    festival_widget,
    format_festival_table,
)


def go_situations(rows):
    """The (weather, friend, commute) answers of the rows that decide to go."""
    return {(row.weather, row.friend, row.commute) for row in rows if row.go}


def test_threshold_5_goes_exactly_when_the_weather_is_good():
    rows = festival_table((6, 2, 2), 5)
    assert len(rows) == 8
    assert go_situations(rows) == {(1, f, c) for f in (0, 1) for c in (0, 1)}


def test_threshold_3_also_goes_with_friend_and_easy_commute():
    rows = festival_table((6, 2, 2), 3)
    expected = {(1, f, c) for f in (0, 1) for c in (0, 1)} | {(0, 1, 1)}
    assert go_situations(rows) == expected


def test_weighted_sums_and_a_sum_equal_to_the_threshold_stays_home():
    rows = festival_table((6, 2, 2), 8)
    sums = {(row.weather, row.friend, row.commute): row.weighted_sum for row in rows}
    assert sums[(1, 1, 0)] == 8 and sums[(1, 1, 1)] == 10 and sums[(0, 0, 0)] == 0
    assert go_situations(rows) == {(1, 1, 1)}


def test_every_situation_appears_once():
    rows = festival_table((1, 1, 1), 0)
    situations = [(row.weather, row.friend, row.commute) for row in rows]
    assert sorted(situations) == [(w, f, c) for w in (0, 1) for f in (0, 1) for c in (0, 1)]


@pytest.mark.parametrize("weights, threshold, message", [
    ((6, 2), 5, "weights"),
    ((6, 2, 2, 1), 5, "weights"),
    ((6, float("nan"), 2), 5, "weights"),
    ((6, 2, 2), float("nan"), "threshold"),
    ((6, 2, 2), (5, 3), "threshold"),
])
def test_bad_input_is_refused(weights, threshold, message):
    with pytest.raises(ValueError, match=message):
        festival_table(weights, threshold)


def test_text_and_html_renderings_show_every_row():
    rows = festival_table((6, 2, 2), 3)
    text = format_festival_table(rows)
    assert len(text.splitlines()) == 1 + 8
    assert text.count("stay home") == 3
    html = festival_table_html(rows, 3)
    assert "go in 5 of 8 situations" in html
    assert html.count("<tr") == 1 + 8


def find_slider(box: widgets.VBox, description: str) -> widgets.FloatSlider:
    matches = [child for child in box.children
               if isinstance(child, widgets.FloatSlider) and child.description == description]
    assert len(matches) == 1, f"expected one slider called {description!r}"
    return matches[0]


def table_of(box: widgets.VBox) -> widgets.HTML:
    (html,) = [child for child in box.children if isinstance(child, widgets.HTML)]
    return html


def test_widget_starts_with_the_lecture_example():
    box = festival_widget()
    assert find_slider(box, "w weather").value == 6
    assert find_slider(box, "threshold").value == 5
    assert "go in 4 of 8 situations" in table_of(box).value


def test_moving_the_threshold_slider_redraws_the_table():
    box = festival_widget()
    before = table_of(box).value
    find_slider(box, "threshold").value = 3
    after = table_of(box).value
    assert after != before
    assert "threshold 3: go in 5 of 8 situations" in after
    assert after == festival_table_html(festival_table((6, 2, 2), 3), 3)


def test_moving_a_weight_slider_redraws_the_table():
    box = festival_widget()
    find_slider(box, "w weather").value = 0
    assert "go in 0 of 8 situations" in table_of(box).value
    find_slider(box, "w friend").value = 6
    assert "go in 4 of 8 situations" in table_of(box).value


def test_widget_refuses_bad_starting_values():
    with pytest.raises(ValueError, match="weights"):
        festival_widget(weights=(6, 2))
    with pytest.raises(ValueError, match="threshold"):
        festival_widget(threshold=float("nan"))
