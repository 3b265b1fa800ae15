"""The course as a student and an instructor see it: JupyterLab and nbgrader's formgrader in
headless Chromium, on a copy of the course (nothing tracked is written).

1. the course folders in the file browser;
2. every lecture widget is a live control, and changing it changes its output;
3. an exercise: the blank answer fails its visible test, a typed answer passes, a wrong one
   shows the test's message;
4. the formgrader lists the assignments on a fresh copy, and shows a submission's formulas
   typeset with no network;
5. the formgrader's and the feedback file's view of a hostile submission run none of its scripts
   and request nothing outside the page's own origin and data: URLs;
6. no JavaScript errors on the console (checked when each test's page closes; the few
   expected ones are named in lab_browser.ALLOWED_CONSOLE_ERRORS);
7. the course's website (`make site`, built once for the run by the `built_site` fixture)
   served from 127.0.0.1: its home page and three lecture pages list every lecture, typeset
   their formulas and load their figures, its search finds "perceptron", with no console
   error at all and no request to another host.
8. the class report (`python -m grading report`) shows its histogram and tables, runs none of
   a hostile student's text and asks for nothing beyond its own file.

Run only these: .venv/bin/python -m pytest tests/test_browser.py
A failed test keeps a screenshot of its page; the report names the file.
"""
from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest

from lab_browser import (CHROMIUM_FLAGS, HOW_TO_GET_CHROMIUM, Watch, cell_output_text,
                         chromium_executable, click_javascript_links, copy_course, missing_browser,
                         lab_on, open_notebook, replace_cell_source, run_cell, static_server,
                         tripped_frames, tripwire_js)
from report_class import A as REPORTED, grade_class

# Lectures with widgets: one line each (06-09 join here). Their first code cell (the set-up)
# and each cell whose stored output is a widget with a control are run; a widget must need
# nothing else.
WIDGET_LECTURES = [
    "01_perceptron",
    "02_sigmoid_neuron",
    "03_gradient_descent",
    "06_cnn",
    "08_gans",
    "09_adversarial",
]
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
CONTROL_MODELS = {"DropdownModel", "SelectModel", "RadioButtonsModel", "ToggleButtonsModel",
                  "ToggleButtonModel", "CheckboxModel"}  # and every *SliderModel

# The exercise answered through the page: one answer cell, its visible test, a right and a
# wrong body for `raise NotImplementedError()`, and the message the test gives the wrong one.
EXERCISE = "01_perceptron"
ANSWER_CELL, TEST_CELL = "threshold_to_bias_answer", "threshold_to_bias_tests"
RIGHT_BODY, WRONG_BODY = "return -threshold", "return threshold"
WRONG_MESSAGE = "threshold 5: expected the bias -5"

GRADED = "01_perceptron"  # the assignment submitted, graded and opened in the formgrader
# What the formgrader's and the feedback's pages show for a typeset formula (MathJax 2 or 3).
TYPESET_MATH = "mjx-container, .MathJax, .MathJax_CHTML, .MathJax_SVG, .MathJax_Display"


# --- fixtures: one browser and one server for the module, a fresh page per test ------------

@pytest.fixture(scope="module")
def chromium():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing_browser("Playwright is not installed: make setup (the test extra) installs it")
    with sync_playwright() as playwright:
        executable = chromium_executable(playwright)
        if executable is None:
            missing_browser(HOW_TO_GET_CHROMIUM)
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def lab(chromium, jupyter_server, tmp_path_factory):
    course = copy_course(tmp_path_factory.mktemp("course"))
    with lab_on(jupyter_server, course, tmp_path_factory.mktemp("lab")) as server:
        yield server


@pytest.fixture(scope="module")
def browser_context(chromium):
    """One context for the module: pages share its cache, so JupyterLab loads faster."""
    context = chromium.new_context(viewport={"width": 1400, "height": 1000})
    yield context
    context.close()


@pytest.fixture
def watch():
    return Watch()


@pytest.fixture
def browser_page(browser_context, lab, watch, tmp_path):
    """A page whose console errors, outside requests (blocked) and tripwires `watch`
    records. Closing it shuts the test's kernels down and fails on unexpected console
    errors (check 6). tmp_path holds the screenshot of a failure (tests/conftest.py)."""
    page = browser_context.new_page()
    page.route("**/*", watch.route)
    watch.attach(page)
    yield page
    page.close()
    lab.shut_down_kernels()
    unexpected = watch.unexpected_errors()
    assert not unexpected, "JavaScript errors on the console:\n" + "\n".join(unexpected)


# --- 1. the file browser ---------------------------------------------------------------------

def test_file_browser_shows_the_course_folders(lab, browser_page):
    expected = {path.name for path in lab.course.iterdir()
                if path.is_dir() and not path.name.startswith(".")}
    assert {"lectures", "exercises", "solutions", "nnlib", "grading"} <= expected
    browser_page.goto(lab.url("lab") + "&reset")  # the default workspace: the root folder
    listing = browser_page.locator(".jp-DirListing-item[data-isdir='true'] .jp-DirListing-itemName")
    listing.first.wait_for(timeout=30_000)
    shown = set(listing.all_inner_texts())
    assert shown == expected, (f"expected the folders {sorted(expected)}, "
                               f"the file browser shows {sorted(shown)}")


# --- 2. lecture widgets ----------------------------------------------------------------------

def control_widget_cells(notebook: Path) -> list[int]:
    """Indexes of the code cells whose stored output is a widget with a control (not, say,
    a progress bar), read from the widget state the notebook stores."""
    nb = nbformat.read(notebook, as_version=4)
    models = nb.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})

    def model_names(model_id: str) -> list[str]:
        model = models.get(model_id, {"model_name": "?", "state": {}})
        children = [child.removeprefix("IPY_MODEL_")
                    for child in model["state"].get("children", [])]
        return [model["model_name"]] + [name for child in children for name in model_names(child)]

    return [i for i, cell in enumerate(nb.cells) if cell.cell_type == "code"
            and any(name.endswith("SliderModel") or name in CONTROL_MODELS
                    for output in cell.outputs if WIDGET_VIEW in output.get("data", {})
                    for name in model_names(output["data"][WIDGET_VIEW]["model_id"]))]


def change_first_control(page, widget) -> str:
    """Change the widget's first control by one step, as a person would; says what it did."""
    slider = widget.locator("[role='slider']")
    if slider.count():
        slider.first.focus()
        page.keyboard.press("ArrowRight")
        return "pressing ArrowRight on its first slider"
    select = widget.locator("select")
    if select.count():  # a person opens the list and picks the next entry
        chosen = select.first.evaluate("list => list.selectedIndex")
        select.first.select_option(index=(chosen + 1) % select.first.locator("option").count())
        return "choosing the next entry of its first list"
    toggle = widget.locator("input[type='checkbox'], button.widget-toggle-button:not(.mod-active)")
    toggle.first.click(timeout=5_000)
    return "clicking its first checkbox or unselected button"


def first_code_cell(notebook: Path) -> int:
    cells = nbformat.read(notebook, as_version=4).cells
    return next(i for i, cell in enumerate(cells) if cell.cell_type == "code")


# What a widget shows, without its controls: the text of its HTML and Output children and
# the bytes of their images (a redrawn plot has a new data: URL).
SHOWN_BY_WIDGET = """el => Array.from(el.querySelectorAll(
    '.widget-html-content, .widget-output, .widget-image')).map(part =>
    part.innerText + Array.from(part.querySelectorAll('img')).map(img => img.src).join('')
    + (part.src || '')).join('\\n')"""


@pytest.mark.parametrize("lecture", WIDGET_LECTURES)
def test_lecture_widget_is_live(lab, browser_page, lecture):
    notebook = lab.course / "lectures" / f"{lecture}.ipynb"
    widgets = control_widget_cells(notebook)
    assert widgets, f"{lecture}: no cell shows a widget with a control; drop it from the list"
    cells = open_notebook(browser_page, lab, f"lectures/{lecture}.ipynb")
    run_cell(browser_page, cells, first_code_cell(notebook), 1)
    for count, index in enumerate(widgets, start=2):
        run_cell(browser_page, cells, index, count)
        output = cells.nth(index).locator(".jp-OutputArea-output").first
        widget = output.locator(".jupyter-widgets").first
        try:
            widget.wait_for(timeout=10_000)
        except Exception:
            pytest.fail(f"{lecture}, cell {index}: expected a live widget, the page shows "
                        f"{output.inner_text()[:300]!r}", pytrace=False)
        before = output.evaluate(SHOWN_BY_WIDGET)
        assert before.strip(), f"{lecture}, cell {index}: the widget shows no output to compare"
        done = change_first_control(browser_page, widget)
        try:
            browser_page.wait_for_function(f"([el, before]) => ({SHOWN_BY_WIDGET})(el) !== before",
                                           arg=[output.element_handle(), before], timeout=20_000)
        except Exception as error:
            pytest.fail(f"{lecture}, cell {index}: {done} did not change the widget's output "
                        f"({type(error).__name__})", pytrace=False)


# --- 3. an exercise answered through the page -------------------------------------------------

def test_exercise_answer_typed_into_the_page(lab, browser_page):
    path = f"exercises/{EXERCISE}/{EXERCISE}.ipynb"
    stored = nbformat.read(lab.course / path, as_version=4).cells
    index = {cell.metadata.get("nbgrader", {}).get("grade_id"): i for i, cell in enumerate(stored)}
    answer, tests = index[ANSWER_CELL], index[TEST_CELL]
    assert WRONG_MESSAGE in stored[tests].source, f"{TEST_CELL} no longer says {WRONG_MESSAGE!r}"
    blank = stored[answer].source
    assert "raise NotImplementedError()" in blank

    cells = open_notebook(browser_page, lab, path)
    run_cell(browser_page, cells, first_code_cell(lab.course / path), 1)
    runs = iter(range(2, 100))

    def answer_and_test(source: str) -> str:
        replace_cell_source(browser_page, cells, answer, source)
        run_cell(browser_page, cells, answer, next(runs))
        run_cell(browser_page, cells, tests, next(runs))
        return cell_output_text(cells, tests)

    blank_output = answer_and_test(blank)
    assert "NotImplementedError" in blank_output, f"blank answer: the test shows {blank_output!r}"
    right_output = answer_and_test(blank.replace("raise NotImplementedError()", RIGHT_BODY))
    assert right_output.strip() == "", f"right answer: expected a silent test, got {right_output!r}"
    wrong_output = answer_and_test(blank.replace("raise NotImplementedError()", WRONG_BODY))
    assert "AssertionError" in wrong_output and WRONG_MESSAGE in wrong_output, (
        f"wrong answer: expected the test's message {WRONG_MESSAGE!r}, got {wrong_output!r}")


# --- 4. and 5. the formgrader and the feedback ------------------------------------------------

REMOTE = "http://nn-remote.invalid"  # a host of the student's choosing (the route blocks it)


def hostile_notebook(released: Path) -> nbformat.NotebookNode:
    """The released notebook with active content everywhere a student can put it: a markdown
    cell with a script, an image's onerror, a javascript: link, SVG, MathML and an unknown
    element with handlers that fire on their own, and remote images; an answer cell that
    displays an object whose HTML carries a script, an SVG handler and a remote image. Each
    script trips `tripwire_js`; each remote image would be a request outside the page."""
    nb = nbformat.read(released, as_version=4)
    markdown = (f"Hostile markdown.\n\n<script>{tripwire_js('markdown-script')}</script>\n\n"
                f"<img src=\"nn-missing-image.png\" onerror=\"{tripwire_js('img-onerror')}\">\n\n"
                f"<a href=\"javascript:{tripwire_js('javascript-link')}\">a link</a>\n\n"
                f"<svg onload=\"{tripwire_js('svg-onload')}\"><animate onbegin=\""
                f"{tripwire_js('animate-onbegin')}\" attributeName=\"x\" dur=\"1s\"/></svg>\n"
                f"<xss autofocus tabindex=1 onfocus=\"{tripwire_js('unknown-onfocus')}\">x</xss>\n"
                f"<math><mi xlink:href=\"javascript:{tripwire_js('math-href')}\">m</mi></math>\n"
                f"<img src=\"{REMOTE}/markdown-img.png\">\n\n"
                f"![remote]({REMOTE}/markdown-syntax.png)\n")
    nb.cells.insert(1, nbformat.v4.new_markdown_cell(markdown))
    answer = next(cell for cell in nb.cells if cell.metadata.get("nbgrader", {}).get("solution")
                  and cell.cell_type == "code")
    script = json.dumps(f"<b>shiny</b><script>{tripwire_js('repr-html-script')}</script>"
                        f"<svg onload=\"{tripwire_js('output-svg-onload')}\"></svg>"
                        f"<img src=\"{REMOTE}/output-img.png\">")
    answer.source += ("\n\n\nclass Shiny:\n    def _repr_html_(self):\n"
                      f"        return {script}\n\n\ndisplay(Shiny())\n")
    return nb


@pytest.fixture(scope="module")
def graded_course(lab, grading_cli, tmp_path_factory):
    """The copy after the instructor's steps on GRADED: released, two submissions collected
    (alice: the blank exercise; mallory: hostile_notebook), autograded, feedback written.
    Returns {student: submission id in the formgrader}."""
    course = lab.course
    run = grading_cli(course / "solutions", course / "exercises", course / "grading" / "work")
    run("release", GRADED, "--no-execute")
    released = course / "exercises" / GRADED / f"{GRADED}.ipynb"
    uploads = tmp_path_factory.mktemp("uploads")
    for student, nb in {"alice": nbformat.read(released, as_version=4),
                        "mallory": hostile_notebook(released)}.items():
        (uploads / student).mkdir()
        nbformat.write(nb, uploads / student / f"{GRADED}.ipynb")
    run("collect", GRADED, uploads)
    run("autograde", GRADED, "--jobs", "2", "--no-progress")
    run("feedback", GRADED)
    submissions = lab.api("GET", f"formgrader/api/submitted_notebooks/{GRADED}/{GRADED}")
    return {submission["student"]: submission["id"] for submission in submissions}


def test_formgrader_lists_the_assignments_on_a_fresh_copy(lab, browser_page):
    assert not (lab.course / "grading" / "work" / "submitted").exists(), "not a fresh copy"
    expected = sorted(path.name for path in (lab.course / "solutions").iterdir() if path.is_dir())
    browser_page.goto(lab.url("formgrader"))
    rows = browser_page.locator("table tbody tr td:first-child")
    try:
        rows.filter(has_text=expected[-1]).first.wait_for(timeout=20_000)
    except Exception:
        pytest.fail(f"the formgrader lists no assignment; /formgrader/api/assignments answers "
                    f"{lab.status('formgrader/api/assignments')}", pytrace=False)
    shown = sorted(text.strip() for text in rows.all_inner_texts())
    assert shown == expected, f"expected the assignments {expected}, the formgrader lists {shown}"


def test_formgrader_typesets_formulas_offline(lab, graded_course, browser_page, watch):
    browser_page.goto(lab.url(f"formgrader/submissions/{graded_course['alice']}/"))
    try:
        browser_page.locator(TYPESET_MATH).first.wait_for(timeout=20_000)
    except Exception:
        pytest.fail(f"no typeset formula in the formgrader's view of a submission; requests "
                    f"blocked outside loopback: {watch.outside_requests}", pytrace=False)
    assert watch.outside_requests == [], f"requests outside loopback: {watch.outside_requests}"
    raw = [line for line in browser_page.inner_text("body").splitlines() if "$$" in line]
    assert not raw, f"formulas left as TeX in the formgrader's view: {raw[:3]}"


def test_hostile_submission_runs_nothing(lab, graded_course, browser_page, watch):
    feedback = lab.course / "grading" / "work" / "feedback" / "mallory" / GRADED / f"{GRADED}.html"
    assert feedback.is_file(), f"no feedback file for the hostile submission at {feedback}"
    # the feedback file first: the formgrader's MathJax goes on loading fonts after the page
    # moves on, and those late requests would be counted against the next view
    views = {"the feedback file": feedback.as_uri(),
             "the formgrader": lab.url(f"formgrader/submissions/{graded_course['mallory']}/")}
    ran, elsewhere = [], []
    for view, url in views.items():
        watch.requests.clear()
        browser_page.goto(url, wait_until="load")
        shown = browser_page.inner_text("body")
        assert "Hostile markdown" in shown, f"{view}: the submission is not shown"
        assert "[removed: an image from http://nn-remote.invalid/markdown-img.png]" in shown, (
            f"{view}: no placeholder for the remote image")
        click_javascript_links(browser_page)
        browser_page.wait_for_timeout(500)  # an onerror, an onbegin or a fetch fires after load
        ran += [f"{view}: {frame}" for frame in tripped_frames(browser_page)]
        ran += [f"{view}: called home from {kind}" for kind in watch.tripwires]
        watch.tripwires.clear()
        origin = url.split("/")[0] if url.startswith("file:") else "/".join(url.split("/")[:3])
        elsewhere += [f"{view}: {asked}" for asked in watch.requests
                      if not asked.startswith((origin + "/", "data:"))]
    assert not ran, "the hostile submission's scripts ran:\n" + "\n".join(ran)
    assert not elsewhere, ("requests outside the page's own origin and data: URLs:\n"
                           + "\n".join(elsewhere))


# --- 7. the course's website ------------------------------------------------------------------

SITE_LECTURES = ["01_perceptron", "05_mnist_mlp", "09_adversarial"]  # the pages opened
LECTURE_TITLES = [nbformat.read(path, as_version=4).cells[0].source.splitlines()[0][2:]
                  for path in sorted((Path(__file__).parents[1] / "lectures").glob("*.ipynb"))]
# Every formula MyST marked (span.math, div.math) holds MathJax's typeset output.
ALL_MATH_TYPESET = """() => {
    const formulas = Array.from(document.querySelectorAll('span.math, div.math'));
    return formulas.length > 0 && formulas.every(math => math.querySelector('.MathJax, .MathJax_Display'));
}"""


@pytest.fixture(scope="module")
def site(chromium, built_site):
    with static_server(built_site) as base:
        yield base


@pytest.fixture
def site_page(browser_context, site, watch, tmp_path):
    """A page of the website whose console errors and outside requests (blocked) `watch`
    records; closing it fails on any console error: the website expects none."""
    page = browser_context.new_page()
    page.route("**/*", watch.route)
    watch.attach(page)
    yield page
    page.close()
    assert not watch.errors, "JavaScript errors on the console:\n" + "\n".join(watch.errors)
    assert not watch.outside_requests, f"requests outside loopback: {watch.outside_requests}"


def sidebar_lectures(page) -> list[str]:
    links = page.locator(".sidebar-tree a.reference")
    return [text.strip().replace("\u2019", "'") for text in links.all_inner_texts()]  # smart quotes


def test_site_home_page_lists_every_lecture(site, site_page):
    site_page.goto(site, wait_until="load")
    assert site_page.locator("h1").first.inner_text().startswith("Neural networks")
    assert sidebar_lectures(site_page) == LECTURE_TITLES
    assert site_page.locator("table a[href^='lectures/']").count() == len(LECTURE_TITLES), (
        "expected the overview's table to link every lecture")


@pytest.mark.parametrize("lecture", SITE_LECTURES)
def test_site_lecture_page_typesets_formulas_and_shows_figures(site, site_page, lecture):
    site_page.goto(f"{site}lectures/{lecture}.html", wait_until="load")
    assert sidebar_lectures(site_page) == LECTURE_TITLES
    try:
        site_page.wait_for_function(ALL_MATH_TYPESET, timeout=30_000)
    except Exception:
        raw = site_page.locator("span.math:not(:has(.MathJax))").all_inner_texts()[:3]
        pytest.fail(f"{lecture}: formulas not typeset, e.g. {raw}", pytrace=False)
    figures = site_page.locator(".cell_output img")
    assert figures.count() > 0, f"{lecture}: no figure on the page"
    site_page.wait_for_function("() => Array.from(document.images).every(img => img.complete)",
                                timeout=30_000)
    widths = figures.evaluate_all("images => images.map(img => img.naturalWidth)")
    assert all(width > 0 for width in widths), f"{lecture}: figures that did not load: {widths}"


def test_site_search_finds_perceptron(site, site_page):
    site_page.goto(f"{site}search.html?q=perceptron", wait_until="load")
    results = site_page.locator("#search-results ul.search li")
    try:
        results.first.wait_for(timeout=30_000)
    except Exception:
        pytest.fail(f"no search result; the page says "
                    f"{site_page.locator('#search-results').inner_text()!r}", pytrace=False)
    links = results.locator("a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert any(link.startswith("lectures/01_perceptron.html") for link in links), links


# --- 8. the class report ---------------------------------------------------------------------

REPORT_HOSTILE_ID = "<img src=x onerror=alert`1`>"  # a dialog, if it ever ran


@pytest.fixture(scope="module")
def class_report(grading_cli, tmp_path_factory):
    """The report page of a class of two, graded through the command line: alice (the
    solution) and a student whose id is markup and whose answer raises markup."""
    tmp = tmp_path_factory.mktemp("class-report")
    cli = grading_cli(tmp / "solutions", tmp / "exercises", tmp / "work")
    message = (f"<script>{tripwire_js('report-script')}</script>"
               f"<img src=nn-missing-image.png onerror=\"{tripwire_js('report-onerror')}\">")
    hostile = f"def weighted_sum(X, w, b):\n    raise ValueError({message!r})"
    grade_class(cli, tmp, {REPORTED: {"alice": {}, REPORT_HOSTILE_ID:
                                      {"weighted_sum_answer": hostile}}})
    cli("report", REPORTED)
    return tmp / "work" / "report" / f"{REPORTED}.html"


def test_class_report_shows_its_figures_and_runs_nothing(browser_context, class_report, watch):
    page = browser_context.new_page()
    page.route("**/*", watch.route)
    watch.attach(page)
    dialogs, requests = [], []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.on("request", lambda request: requests.append(request.url))
    try:
        page.goto(class_report.as_uri(), wait_until="load")
        page.wait_for_timeout(500)  # an onerror or a fetch fires after load
        width = page.eval_on_selector("img.histogram", "img => img.complete && img.naturalWidth")
        assert width > 0, "the histogram did not load"
        for name in ("verdicts", "exercises", "messages", "slowest", "limits"):
            assert page.locator(f"table.{name}").is_visible(), f"no table {name} on the page"
        shown = page.locator("table.messages").inner_text()
        assert "<script>" in shown and REPORT_HOSTILE_ID in shown, shown
        ran = tripped_frames(page) + watch.tripwires + dialogs
        assert not ran, f"the hostile student's text ran: {ran}"
        assert watch.errors == [], f"console errors: {watch.errors}"
        left = [url for url in requests if url != class_report.as_uri()]
        assert left == [], f"the page asked for more than itself: {left}"
    finally:
        page.close()
