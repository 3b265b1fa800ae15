"""The cheese-festival perceptron: its decision table, and sliders that redraw it.

Three yes/no questions decide whether to go to the cheese festival in Gouda on Saturday:
is the weather good, is a friend coming along, is the venue easy to reach? A perceptron
weighs the three answers and goes when the weighted sum exceeds the threshold.

``festival_table(weights, threshold)`` computes the decision in all 8 situations (usable
headless); ``format_festival_table`` prints it as text, ``festival_table_html`` as HTML;
``festival_widget()`` wires sliders for the three weights and the threshold to the table.
"""
from __future__ import annotations

from typing import NamedTuple

import ipywidgets as widgets
import numpy as np

from .._checks import as_float_array
from ..data import FESTIVAL_FEATURES as QUESTIONS, FESTIVAL_WEIGHTS, festival_situations
from ..perceptron import Perceptron


class FestivalRow(NamedTuple):
    """One situation: the three answers (0/1), the weighted sum and the decision (0/1)."""

    weather: int
    friend: int
    commute: int
    weighted_sum: float
    go: int


def _three_weights(weights) -> np.ndarray:
    """Check and return the weights as a float array of shape (3,)."""
    weights = as_float_array(weights, "weights", ndim=1)
    if weights.shape != (len(QUESTIONS),):
        raise ValueError(f"weights: expected {len(QUESTIONS)} numbers ({', '.join(QUESTIONS)}), "
                         f"got shape {weights.shape}")
    return weights


def festival_table(weights, threshold) -> list[FestivalRow]:
    """The perceptron's decision in each of the 8 situations, in the order of
    ``nnlib.data.festival_situations()``.

    weights: 3 numbers (weather, friend, commute); threshold: a number. Goes (go = 1)
    when the weighted sum is strictly greater than the threshold.
    """
    weights = _three_weights(weights)
    threshold = float(as_float_array(threshold, "threshold", ndim=0))
    perceptron = Perceptron(weights, threshold=threshold)
    situations = festival_situations()
    sums = perceptron.weighted_sum(situations)
    decisions = perceptron.predict(situations)
    return [FestivalRow(*(int(answer) for answer in x), float(s), int(go))
            for x, s, go in zip(situations, sums, decisions)]


def _number(value: float) -> str:
    """A weighted sum without a useless '.0': 6 rather than 6.0, but 6.5 stays."""
    return f"{value:g}"


def format_festival_table(rows: list[FestivalRow]) -> str:
    """The table as fixed-width text, one line per situation, for ``print``."""
    header = f"{'weather':>8} {'friend':>7} {'commute':>8} {'w.x':>6}  decision"
    lines = [header]
    for row in rows:
        decision = "go" if row.go else "stay home"
        lines.append(f"{row.weather:>8} {row.friend:>7} {row.commute:>8} "
                     f"{_number(row.weighted_sum):>6}  {decision}")
    return "\n".join(lines)


def festival_table_html(rows: list[FestivalRow], threshold: float) -> str:
    """The table as an HTML string, 'go' rows in green, with a one-line summary."""
    cells = "".join(f"<th style='padding:0 8px'>{name}</th>"
                    for name in (*QUESTIONS, "w·x", "decision"))
    body = []
    for row in rows:
        colour = "#c8e6c9" if row.go else "#ffcdd2"
        values = (row.weather, row.friend, row.commute, _number(row.weighted_sum),
                  "go" if row.go else "stay home")
        tds = "".join(f"<td style='text-align:center;padding:0 8px'>{v}</td>" for v in values)
        body.append(f"<tr style='background:{colour}'>{tds}</tr>")
    n_go = sum(row.go for row in rows)
    summary = (f"<p>threshold {_number(threshold)}: go in {n_go} of {len(rows)} "
               f"situations</p>")
    return f"{summary}<table><tr>{cells}</tr>{''.join(body)}</table>"


def festival_widget(weights=FESTIVAL_WEIGHTS, threshold: float = 5.0) -> widgets.VBox:
    """Sliders for the three weights and the threshold above the decision table.

    Returns a VBox whose children are the weight sliders (weather, friend, commute), the
    threshold slider and the HTML table, which every slider change redraws. Weights range
    over [-10, 10] and the threshold over [-10, 15]; starting values outside are clamped.
    """
    weights = _three_weights(weights)
    threshold = float(as_float_array(threshold, "threshold", ndim=0))
    weight_sliders = [
        widgets.FloatSlider(value=float(w), min=-10.0, max=10.0, step=0.5,
                            description=f"w {name}")
        for name, w in zip(QUESTIONS, weights)
    ]
    threshold_slider = widgets.FloatSlider(value=threshold, min=-10.0, max=15.0,
                                           step=0.5, description="threshold")
    table = widgets.HTML()

    def redraw(_change=None) -> None:
        current = np.array([slider.value for slider in weight_sliders])
        rows = festival_table(current, threshold_slider.value)
        table.value = festival_table_html(rows, threshold_slider.value)

    for slider in (*weight_sliders, threshold_slider):
        slider.observe(redraw, names="value")
    redraw()
    return widgets.VBox([*weight_sliders, threshold_slider, table])
