"""The course's website (`make site`, site/): how site/sources.py stages a lecture, and what the
site built once for the test run (the `built_site` fixture, tests/conftest.py) holds: a page
per lecture with its box and its widgets' static fallbacks, nothing that loads from another
host, and no solution or hidden test anywhere. The browser's view of it is tested in
tests/test_browser.py."""
from __future__ import annotations

import html
import importlib.util
import re
from pathlib import Path

import nbformat
import pytest
from nbconvert import HTMLExporter

from grading.lint import hidden_test_lines, region_only_lines

REPO = Path(__file__).resolve().parents[1]
LECTURES = sorted((REPO / "lectures").glob("*.ipynb"))
SOLUTIONS = sorted((REPO / "solutions").glob("*/*.ipynb"))
# site/ is not a package (and `site` is a standard module): load its module by path.
_spec = importlib.util.spec_from_file_location("course_site_sources", REPO / "site" / "sources.py")
sources = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(sources)

SECRET_MIN_LENGTH = 12  # shorter lines (`return x`) are too common to give anything away
VENDORED = "_static/mathjax"  # MathJax, copied from its package as it is
TEXT_SUFFIXES = {".html", ".js", ".css", ".txt", ".json", ".svg"}


def site_text(site: Path) -> dict[str, str]:
    """Every text file of the site but the vendored MathJax, by path; HTML as the text a
    reader sees (tags dropped, entities decoded), the rest as it is."""
    texts = {}
    for path in sorted(site.rglob("*")):
        name = path.relative_to(site).as_posix()
        if path.is_file() and path.suffix in TEXT_SUFFIXES and not name.startswith(VENDORED):
            text = path.read_text(errors="replace")
            texts[name] = html.unescape(re.sub(r"<[^>]+>", "", text)) if path.suffix == ".html" else text
    return texts


def published_on_purpose() -> str:
    """The text the site is made of: the lectures' cells, the README, the home page's source."""
    cells = [cell.source for path in LECTURES for cell in nbformat.read(path, as_version=4).cells]
    return "\n".join(cells + [(REPO / "README.md").read_text(), (REPO / "site" / "index.md").read_text()])


def solution_only_lines(nb) -> list[str]:
    """Stripped lines inside the notebook's `### BEGIN SOLUTION` regions that appear nowhere
    outside them, as grading.lint.hidden_test_lines finds them for the hidden tests."""
    return region_only_lines(nb, "BEGIN SOLUTION", "END SOLUTION")


def secrets(solution: Path) -> list[str]:
    """The lines of a solution notebook whose presence on the site would give away a hidden
    test or a solution: not those that a lecture or the README says anyway."""
    nb = nbformat.read(solution, as_version=4)
    public = published_on_purpose()
    lines = hidden_test_lines(nb) + solution_only_lines(nb)
    return sorted({line for line in lines if len(line) >= SECRET_MIN_LENGTH and line not in public})


def leaks(texts: dict[str, str], lines: list[str]) -> list[str]:
    return [f"{name}: {line!r}" for name, text in texts.items() for line in lines if line in text]


# --- site/sources.py on made-up notebooks -------------------------------------------------------

PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="


def widget_notebook() -> nbformat.NotebookNode:
    """A lecture-like notebook: a slider widget whose Output child stored a figure, and a
    tqdm progress bar, each with the widget state JupyterLab stores."""
    def view(model_id):
        return nbformat.v4.new_output("display_data", data={
            sources.WIDGET_VIEW: {"model_id": model_id, "version_major": 2, "version_minor": 0},
            "text/plain": "VBox(...)"})

    def model(name, **state):
        return {"model_module": "@jupyter-widgets/controls", "model_name": name, "state": state}

    state = {
        "box": model("VBoxModel", children=["IPY_MODEL_slider", "IPY_MODEL_out"]),
        "slider": model("FloatSliderModel", description="w weather", value=6.0),
        "out": model("OutputModel", outputs=[{"output_type": "display_data", "metadata": {},
                                              "data": {"image/png": PNG, "text/plain": "<Figure>"}}]),
        "bar": model("HBoxModel", children=["IPY_MODEL_left", "IPY_MODEL_progress", "IPY_MODEL_right"]),
        "left": model("HTMLModel", value="epochs:\u2007100%"),
        "progress": model("FloatProgressModel", value=10.0, max=10.0),
        "right": model("HTMLModel", value="\u200710/10\u2007[00:00&lt;00:00]"),
    }
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("# 01 A made-up lecture\n\nIts introduction."),
        nbformat.v4.new_code_cell("# NBVAL_IGNORE_OUTPUT\nwidget()", outputs=[view("box")]),
        nbformat.v4.new_code_cell("train()", outputs=[view("bar")]),
    ])
    nb.metadata["widgets"] = {sources.WIDGET_STATE: {"state": state, "version_major": 2,
                                                     "version_minor": 0}}
    return nb


def test_a_widget_becomes_its_stored_figure_under_a_note_naming_its_controls():
    page = sources.lecture_page(widget_notebook(), "01_made_up")
    outputs = page.cells[3].outputs
    assert [output.output_type for output in outputs] == ["display_data", "display_data"]
    note = outputs[0].data["text/html"]
    assert "Live in JupyterLab" in note and "make lab" in note and "w weather = 6" in note, note
    assert outputs[1].data["image/png"] == PNG, "expected the figure the Output widget stored"
    assert not any(sources.WIDGET_VIEW in output.get("data", {}) for output in outputs)


def test_a_progress_bar_becomes_one_line_of_text_without_a_note():
    outputs = sources.lecture_page(widget_notebook(), "01_made_up").cells[4].outputs
    assert len(outputs) == 1 and outputs[0].output_type == "stream", outputs
    assert outputs[0].text == "epochs: 100% 10/10 [00:00<00:00]\n"


def test_a_lecture_page_has_its_title_then_the_box_and_no_widget_state():
    page = sources.lecture_page(widget_notebook(), "01_made_up")
    assert [cell.source.splitlines()[0] for cell in page.cells[:3]] == [
        "# 01 A made-up lecture", "```{admonition} Run it yourself", "Its introduction."]
    box = page.cells[1].source
    for expected in ("make lab", "lectures/01_made_up.ipynb", "exercises/01_made_up/01_made_up.ipynb",
                     f"at most {sources.LECTURE_BUDGET_SECONDS} seconds"):
        assert expected in box, f"the box does not say {expected!r}:\n{box}"
    assert "widgets" not in page.metadata, "the widget state would load widget JavaScript"
    assert page.cells[3].source == "widget()", "expected nbval's marker line dropped"


def test_a_repository_url_links_the_exercise():
    page = sources.lecture_page(widget_notebook(), "01_made_up", "https://example.org/course/blob/main/")
    assert ("[`exercises/01_made_up/01_made_up.ipynb`](https://example.org/course/blob/main/"
            "exercises/01_made_up/01_made_up.ipynb)") in page.cells[1].source


def test_the_home_page_is_the_readme_overview_with_each_number_linked(tmp_path):
    readme = (REPO / "README.md").read_text()
    first_paragraph = readme.split("\n\n")[1]
    home = sources.home_page(REPO, LECTURES)
    assert home.startswith(readme.splitlines()[0] + "\n") and first_paragraph in home
    assert sources.OVERVIEW_END not in home
    for path in LECTURES:
        number = path.stem.split("_")[0]
        assert f"| [{number}](lectures/{path.stem}.ipynb) |" in home, f"no link to {path.stem}"
    assert "{toctree}" in home


def test_staging_rewrites_only_what_changed(tmp_path):
    staged = sources.stage(REPO, tmp_path)
    assert [path.name for path in staged] == [path.name for path in LECTURES]
    stamps = {path: path.stat().st_mtime_ns for path in [tmp_path / "index.md", *staged]}
    sources.stage(REPO, tmp_path)
    assert {path: path.stat().st_mtime_ns for path in stamps} == stamps
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file()) == \
        sorted(["index.md"] + [f"lectures/{path.name}" for path in LECTURES])


# --- the built site -----------------------------------------------------------------------------

def lecture_title(path: Path) -> str:
    return nbformat.read(path, as_version=4).cells[0].source.splitlines()[0].removeprefix("# ")


def test_every_lecture_has_a_page_in_the_table_of_contents(built_site):
    pages = sorted(p.stem for p in (built_site / "lectures").glob("*.html"))
    assert pages == [path.stem for path in LECTURES]
    home = (built_site / "index.html").read_text()
    toc = re.findall(r'<a class="reference internal" href="lectures/([^"#]+)\.html">', home)
    assert toc[:len(LECTURES)] == [path.stem for path in LECTURES], toc
    text = site_text(built_site)["index.html"].replace("\u2019", "'")  # Sphinx's smart quotes
    missing = [lecture_title(path) for path in LECTURES if lecture_title(path) not in text]
    assert not missing, f"the home page does not name {missing}"


@pytest.mark.parametrize("lecture", LECTURES, ids=lambda path: path.stem)
def test_a_lecture_page_says_how_to_run_it_and_where_its_exercise_is(built_site, lecture):
    page = (built_site / "lectures" / f"{lecture.stem}.html").read_text()
    text = html.unescape(re.sub(r"<[^>]+>", "", page))
    exercise = f"exercises/{lecture.stem}/{lecture.stem}.ipynb"
    for expected in ("make lab", f"lectures/{lecture.name}", exercise,
                     f"at most {sources.LECTURE_BUDGET_SECONDS} seconds"):
        assert expected in text, f"{lecture.stem}: the page does not say {expected!r}"
    assert f'href="{sources.LAB_URL}{exercise}"' in page


@pytest.mark.parametrize("lecture", LECTURES, ids=lambda path: path.stem)
def test_a_widget_is_shown_as_its_fallback_with_a_live_note(built_site, lecture):
    nb = nbformat.read(lecture, as_version=4)
    models = nb.metadata.get("widgets", {}).get(sources.WIDGET_STATE, {}).get("state", {})
    controls = sum(1 for cell in nb.cells if cell.cell_type == "code" for output in cell.outputs
                   if sources.WIDGET_VIEW in output.get("data", {}) and sources.widget_parts(
                       models, output["data"][sources.WIDGET_VIEW]["model_id"])["controls"])
    page = (built_site / "lectures" / f"{lecture.stem}.html").read_text()
    assert page.count("Live in JupyterLab") == controls
    assert "widget-view+json" not in page and "jupyter-widgets" not in page


def test_no_page_loads_anything_from_another_host(built_site):
    outside = re.compile(r"""(?:<(?:script|img|link|iframe|source|video|audio)\b[^>]*?\s(?:src|href)="""
                         r"""|url\(|@import\s)\s*['"]?(?:https?:)?//""", re.IGNORECASE)
    found = [f"{path.relative_to(built_site)}: {match[0]}..." for path in built_site.rglob("*")
             if path.suffix in {".html", ".css"} for match in outside.finditer(path.read_text())]
    assert not found, "\n".join(found)
    assert (built_site / VENDORED / "MathJax.js").is_file(), "MathJax is not served by the site"


def test_no_solution_or_hidden_test_is_published(built_site):
    texts = site_text(built_site)
    assert not [name for name in texts if "solution" in name or "exercise" in name]
    markers = [f"{name}: {marker}" for name, text in texts.items()
               for marker in ("HIDDEN TESTS", "BEGIN SOLUTION", "END SOLUTION") if marker in text]
    assert not markers, markers
    for solution in SOLUTIONS:
        lines = secrets(solution)
        assert len(lines) > 5, f"{solution.parent.name}: expected secrets to look for, found {lines}"
        assert not leaks(texts, lines), f"{solution.parent.name} leaks:\n" + "\n".join(leaks(texts, lines))


def test_the_leak_check_finds_a_rendered_solution():
    """What test_no_solution_or_hidden_test_is_published would see if a solution notebook
    were rendered to HTML like a page (code highlighted by Pygments, entities escaped)."""
    solution = SOLUTIONS[0]
    body, _ = HTMLExporter().from_filename(str(solution))
    text = html.unescape(re.sub(r"<[^>]+>", "", body))
    missing = [line for line in secrets(solution) if line not in text]
    assert not missing, f"{solution.parent.name} rendered, and these lines not found in it: {missing}"
