"""Interactive controls for the lectures, one module per topic.

Each module offers a plain function that computes what the widget shows (so notebooks and
tests run headless) and a builder that wires ipywidgets controls to it.
"""
