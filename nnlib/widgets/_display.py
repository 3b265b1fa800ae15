"""What every figure widget does on a change: compute, draw, display, close (so that figures do
not pile up in pyplot's memory)."""
from __future__ import annotations

from collections.abc import Callable

import ipywidgets as widgets
import matplotlib.pyplot as plt
from IPython.display import display


def show_and_close(fig: plt.Figure) -> None:
    """Display ``fig`` in the current output, then release it."""
    display(fig)
    plt.close(fig)


def interactive_figure(compute: Callable, draw: Callable[..., plt.Figure], **controls) -> widgets.interactive:
    """``ipywidgets.interactive`` over ``controls`` that shows ``draw(compute(**values))``; the
    container's ``result`` is the latest ``compute(**values)``."""
    def show(**values):
        result = compute(**values)
        show_and_close(draw(result))
        return result
    return widgets.interactive(show, **controls)
