"""Sphinx configuration of the course's website: `make site` (site/build.py) renders the
sources that site/sources.py stages from lectures/ and README.md. Nothing is executed, and a
page needs no network: MathJax is served from the site itself, the theme (Furo) uses the
system's fonts."""
import shutil
from pathlib import Path

import jupyter_server_mathjax

project = "Neural networks, from the perceptron to adversarial attacks"
author = "the course's authors"
language = "en"
extensions = ["myst_nb"]

# The notebooks are shown as stored: nbval checks those outputs, nothing runs again.
nb_execution_mode = "off"
nb_merge_streams = True
nb_ipywidgets_js = {}  # widgets are replaced by their static fallback (site/sources.py)
myst_enable_extensions = ["dollarmath", "amsmath"]

html_theme = "furo"
html_title = project
html_copy_source = False  # no notebook sources in the site
html_show_sourcelink = False
html_favicon = "favicon.svg"

# MathJax 2 from the jupyter-server-mathjax package (the course's environment has it),
# copied into _static/mathjax when the build finishes; no CDN.
MATHJAX = Path(jupyter_server_mathjax.__file__).parent / "static"
mathjax_path = "mathjax/MathJax.js?config=TeX-AMS-MML_HTMLorMML-full"
# MathJax 2 typesets only what MyST marked as math (not code or outputs that contain `$`),
# with the one web font the package ships (STIX-Web; not TeX, not the reader's own fonts).
# Its font-loading probe "MathJax_Blank" points at about:blank, which Chromium refuses with
# a console error; a local() source that no system has does the same without one.
myst_update_mathjax = False
mathjax2_config = {
    "tex2jax": {"processClass": "math", "ignoreClass": "document"},
    "HTML-CSS": {"availableFonts": [], "preferredFont": None, "webFont": "STIX-Web",
                 "imageFont": None,
                 "styles": {"@font-face": {"font-family": "MathJax_Blank",
                                           "src": "local('MathJax_Blank')"}}},
    "showMathMenu": False,
    "messageStyle": "none",
}


def copy_mathjax(app, exception):
    if exception is None and app.builder.format == "html":
        shutil.copytree(MATHJAX, Path(app.outdir) / "_static" / "mathjax", dirs_exist_ok=True)


def setup(app):
    app.connect("build-finished", copy_mathjax)
