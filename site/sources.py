"""The website's Sphinx sources, staged from the repository by `stage(repo, src)`:

- src/index.md, the home page: the README's overview (its text down to "## The two commands",
  each lecture's number linked to its page) followed by site/index.md (how to run the
  lectures, and the table of contents);
- src/lectures/NN_topic.ipynb, each stored, executed lecture notebook as it is (nothing is
  run again), with a box under its title (how to open it in JupyterLab, its run-time budget,
  its exercise's path) and each widget replaced by its static fallback: what its Output and
  HTML parts stored, under a note that its controls are live in JupyterLab. nbval's
  `# NBVAL_...` markers are dropped from the code, and the widget state from the notebook,
  so no page loads widget JavaScript.

Only lectures/ and README.md are read: the exercises and the solutions are never staged.
"""
from __future__ import annotations

import html
import re
from pathlib import Path

import nbformat

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
# Widget models that only show something; every other model with a value is a control.
DISPLAY_MODELS = {"HTMLModel", "HTMLMathModel", "LabelModel", "FloatProgressModel",
                  "IntProgressModel", "OutputModel", "ImageModel"}
PROGRESS_MODELS = {"FloatProgressModel", "IntProgressModel"}
OVERVIEW_END = "## The two commands"
# Each lecture runs top to bottom in at most this long under the tests (README, Notebooks).
LECTURE_BUDGET_SECONDS = 60
# `make lab` serves JupyterLab here unless the port is taken.
LAB_URL = "http://localhost:8888/lab/tree/"
# nbval's markers say how the tests compare a cell; they mean nothing to a reader.
NBVAL_MARKER = re.compile(r"^# NBVAL_[A-Z_]+[ \t]*\n?", re.MULTILINE)
SPACES = str.maketrans({"\u2007": " ", "\u00a0": " "})  # tqdm pads with figure spaces


def stage(repo: Path, src: Path, repository_url: str = "") -> list[Path]:
    """Write the sources of the site into `src` (index.md, lectures/*.ipynb); a file whose
    content is unchanged is not rewritten, so Sphinx rebuilds only what changed. Returns the
    staged lectures. `repository_url`, if given, is the URL prefix of the repository's files
    (https://host/org/course/blob/main): the exercise paths link there."""
    lectures = sorted((repo / "lectures").glob("*.ipynb"))
    write_if_changed(src / "index.md", home_page(repo, lectures))
    for path in lectures:
        nb = lecture_page(nbformat.read(path, as_version=4), path.stem, repository_url)
        write_if_changed(src / "lectures" / path.name, nbformat.writes(nb) + "\n")
    return [src / "lectures" / path.name for path in lectures]


def write_if_changed(path: Path, text: str) -> None:
    if not path.is_file() or path.read_text() != text:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


# --- the home page -----------------------------------------------------------------------------

def home_page(repo: Path, lectures: list[Path]) -> str:
    readme = (repo / "README.md").read_text()
    if OVERVIEW_END not in readme:
        raise ValueError(f"README.md: expected a section {OVERVIEW_END!r} after the overview")
    overview = readme.split(OVERVIEW_END)[0].rstrip()
    pages = {path.stem.split("_")[0]: path.stem for path in lectures}
    overview = re.sub(r"^\| (\d\d) \|", lambda m: (f"| [{m[1]}](lectures/{pages[m[1]]}.ipynb) |"
                                                  if m[1] in pages else m[0]),
                      overview, flags=re.MULTILINE)
    return overview + "\n\n" + (repo / "site" / "index.md").read_text()


# --- a lecture page ----------------------------------------------------------------------------

def lecture_page(nb, name: str, repository_url: str = ""):
    """The notebook `name` (NN_topic) as its page: the box under the title, widgets replaced."""
    models = nb.metadata.pop("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.source = NBVAL_MARKER.sub("", cell.source)
            cell.outputs = [shown for output in cell.outputs
                            for shown in static_outputs(output, models)]
    title, _, rest = nb.cells[0].source.partition("\n")
    if nb.cells[0].cell_type != "markdown" or not title.startswith("# "):
        raise ValueError(f"{name}: expected the first cell to start with the title (# ...)")
    first = nb.cells[0].get("id", "title")  # new cells get ids made from it, not random ones
    cells = [nbformat.v4.new_markdown_cell(title, id=f"{first}-title"),
             nbformat.v4.new_markdown_cell(run_it_box(name, repository_url), id=f"{first}-box")]
    if rest.strip():
        cells.append(nbformat.v4.new_markdown_cell(rest.strip(), id=first))
    nb.cells[0:1] = cells
    return nb


def run_it_box(name: str, repository_url: str = "") -> str:
    lecture, exercise = f"lectures/{name}.ipynb", f"exercises/{name}/{name}.ipynb"
    exercise_shown = (f"[`{exercise}`]({repository_url.rstrip('/')}/{exercise})" if repository_url
                      else f"`{exercise}`")
    return f"""```{{admonition}} Run it yourself
:class: tip

This page is the notebook `{lecture}` with the outputs it stored when it was last run.
To run it, change it and use its controls, open it in JupyterLab: in a clone of the course
repository run `make lab` (it sets up the course's environment first), then open
`{lecture}` ([in your JupyterLab]({LAB_URL}{lecture}), once it runs). It runs top to bottom,
offline, on a laptop CPU, in at most {LECTURE_BUDGET_SECONDS} seconds.

**Exercise**: {exercise_shown} in the repository. Open it in the same JupyterLab
([link]({LAB_URL}{exercise})) and answer it there: its tests say what is wrong.
```"""


# --- widgets -----------------------------------------------------------------------------------

def static_outputs(output, models: dict) -> list:
    """`output` itself, or, for a widget, its static fallback: a progress bar as one line of
    text, any other widget as a note naming its controls and what its parts stored."""
    if WIDGET_VIEW not in output.get("data", {}):
        return [output]
    parts = widget_parts(models, output["data"][WIDGET_VIEW]["model_id"])
    if parts["progress"] and not parts["controls"]:
        text = " ".join(html_text(value) for value in parts["html"])
        return [nbformat.v4.new_output("stream", name="stdout", text=text + "\n")]
    shown = [nbformat.v4.new_output("display_data", data={"text/html": value})
             for value in parts["html"]] + parts["outputs"]
    return [live_note(parts["controls"], stored=bool(shown))] + shown


def widget_parts(models: dict, model_id: str) -> dict:
    """What the widget `model_id` and its children stored, in their order: HTML values,
    Output widgets' outputs, controls (description, value), and whether one is a progress bar."""
    parts = {"html": [], "outputs": [], "controls": [], "progress": False}

    def visit(model_id: str) -> None:
        model = models.get(model_id)
        if model is None:  # the notebook did not store the widget's state
            return
        name, state = model["model_name"], model["state"]
        if name in PROGRESS_MODELS:
            parts["progress"] = True
        elif name in {"HTMLModel", "HTMLMathModel", "LabelModel"} and state.get("value"):
            parts["html"].append(state["value"])
        elif name == "OutputModel":
            for output in state.get("outputs", []):
                if WIDGET_VIEW in output.get("data", {}):
                    visit(output["data"][WIDGET_VIEW]["model_id"])
                else:
                    parts["outputs"].append(nbformat.from_dict(output))
        elif name not in DISPLAY_MODELS and ("value" in state or "index" in state):
            parts["controls"].append((state.get("description", ""), control_value(state)))
        for child in state.get("children", []):
            visit(child.removeprefix("IPY_MODEL_"))

    visit(model_id)
    return parts


def control_value(state: dict) -> str:
    if "_options_labels" in state and state.get("index") is not None:
        return state["_options_labels"][state["index"]]
    value = state.get("value")
    return f"{value:.3g}" if isinstance(value, float) else str(value)


def live_note(controls: list[tuple[str, str]], stored: bool):
    named = [f"{html.escape(label)} = {html.escape(value)}" for label, value in controls if label]
    unnamed = len(controls) - len(named)
    listed = ", ".join(named) + (f" and {unnamed} more" if unnamed and named else
                                 f"{unnamed} input boxes" if unnamed else "")
    what = (f"its controls ({listed}) change what it shows" if listed
            else "it responds to its controls")
    shown = ("Here it is shown as the notebook stored it." if stored
             else "The notebook stored nothing of it to show here.")
    return nbformat.v4.new_output("display_data", data={"text/html": (
        '<div class="admonition note live-widget"><p class="admonition-title">Live in '
        f"JupyterLab</p><p>This is an interactive widget: in JupyterLab (<code>make lab</code>) "
        f"{what}. {shown}</p></div>")})


def html_text(value: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", value)).translate(SPACES).strip()
