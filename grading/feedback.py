"""``feedback``: nbgrader's generate_feedback, made safe to hand out and readable offline.

nbgrader's feedback shows the autograded notebook as it ran, hidden tests and their tracebacks
included, and loads MathJax from a CDN. Three preprocessors run before nbgrader's own:

- ``HideHiddenTests``: in every test cell with a hidden region, the region is cut from the source
  (nbgrader's ClearHiddenTests), printed output is dropped (a student's function could print
  the hidden inputs), an error raised by a hidden line becomes "a hidden test failed", and any
  traceback line that quotes a hidden line is removed;
- ``OfflineMath``: ``$...$`` and ``$$...$$`` in markdown become inline SVG drawn by matplotlib's
  mathtext, and the MathJax script is left out of the page. Drawing is bounded: a formula of
  more than ``MAX_FORMULA_CHARS`` characters, one whose SVG exceeds ``MAX_SVG_BYTES``, and every
  formula once a notebook has spent ``DRAWING_SECONDS`` drawing, are shown as TeX code instead
  (a flood of formulas costs seconds, not minutes, and the page stays small);
- ``RemoveActiveContent`` (``sanitize.py``), last: the allow-list on every cell, so that nothing
  the student wrote or displayed runs in the page or loads anything from elsewhere.

Submissions that could not be graded get no feedback (a person looks at them first). One
student's feedback that fails is reported (``Feedback.failed``) and the others are written.
"""
from __future__ import annotations

import base64
import html
import io
import re
import time
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import nbgrader
from matplotlib import mathtext
from matplotlib.font_manager import FontProperties
from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
from nbgrader.converters import GenerateFeedback
from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import ClearHiddenTests, GetGrades, NbGraderPreprocessor
from nbgrader.utils import capture_log

from .course import Course
from .lint import MARKERS, is_test_cell
from .printable import printable
from .sanitize import SANITIZED_PREFIX, RemoveActiveContent
from .verdict import COULD_NOT_GRADE, load_verdict

BEGIN_HIDDEN, END_HIDDEN = MARKERS["hidden tests"]
ANSI = re.compile(r"\x1b\[[0-9;]*m")
FAILING_LINE = re.compile(r"Cell In\[\d+\], line (\d+)")
TEMPLATES = Path(__file__).with_name("templates")
NBGRADER_TEMPLATES = Path(nbgrader.__file__).parent / "server_extensions/formgrader/templates"


def hidden_region(source: str) -> tuple[set[int], list[str]]:
    """1-based line numbers inside the hidden markers (markers included), and their texts."""
    numbers, texts, inside = set(), [], False
    for number, line in enumerate(source.splitlines(), start=1):
        if BEGIN_HIDDEN in line:
            inside = True
        if inside:
            numbers.add(number)
            if line.strip():
                texts.append(line.strip())
        if END_HIDDEN in line:
            inside = False
    return numbers, texts


def quotes_hidden(text: str, hidden_texts: list[str]) -> bool:
    plain = ANSI.sub("", text)
    return any(hidden in plain for hidden in hidden_texts)


class HideHiddenTests(NbGraderPreprocessor):
    """Remove every trace of hidden tests from an autograded notebook (see module doc)."""

    def preprocess_cell(self, cell, resources, index):
        if not is_test_cell(cell) or BEGIN_HIDDEN not in cell.source:
            return cell, resources
        numbers, texts = hidden_region(cell.source)
        outputs = []
        for output in cell.outputs:
            if output.output_type != "error":
                continue
            first_frame = FAILING_LINE.search(ANSI.sub("", "\n".join(output.traceback)))
            if first_frame is None or int(first_frame.group(1)) in numbers:
                output.evalue = "a hidden test failed (its details are not shown)"
                output.traceback = [f"{output.ename}: {output.evalue}"]
            else:
                output.traceback = ["\n".join(line for line in entry.split("\n")
                                              if not quotes_hidden(line, texts))
                                    for entry in output.traceback]
            outputs.append(output)
        cell.outputs = outputs
        ClearHiddenTests()._remove_hidden_test_region(cell)
        return cell, resources


MAX_FORMULA_CHARS = 500  # the longest formula of the released exercises has 331
MAX_SVG_BYTES = 100_000
DRAWING_SECONDS = 5.0  # per notebook


def tex_as_code(tex: str) -> str:
    return f"<code>{html.escape(tex)}</code>"


@lru_cache(maxsize=512)
def tex_to_html(tex: str, display: bool) -> str:
    """An <img> with the formula as SVG (mathtext), or the TeX as code if mathtext cannot or
    the formula or its drawing is too large."""
    if len(tex) > MAX_FORMULA_CHARS:
        return tex_as_code(tex)
    buffer = io.BytesIO()
    try:
        mathtext.math_to_image(f"${tex}$", buffer, prop=FontProperties(size=13 if display else 11),
                               format="svg")
    except (ValueError, RuntimeError):
        return tex_as_code(tex)
    if buffer.tell() > MAX_SVG_BYTES:
        return tex_as_code(tex)
    data = base64.b64encode(buffer.getvalue()).decode()
    img = (f'<img alt="{html.escape(tex, quote=True)}" style="vertical-align: middle" '
           f'src="data:image/svg+xml;base64,{data}">')
    return f'<div style="text-align: center">{img}</div>' if display else img


DISPLAY_MATH = re.compile(r"\$\$(.+?)\$\$", re.DOTALL)
INLINE_MATH = re.compile(r"(?<![\\$])\$(?!\$)(.+?)(?<![\\$])\$")


class OfflineMath(NbGraderPreprocessor):
    """Markdown math drawn as inline SVG, so the feedback needs no MathJax and no network;
    within ``DRAWING_SECONDS`` per notebook (the rest is shown as TeX code)."""

    def preprocess(self, nb, resources):
        self.deadline = time.monotonic() + DRAWING_SECONDS
        return super().preprocess(nb, resources)

    def formula(self, tex: str, display: bool, escaped: bool) -> str:
        tex = html.unescape(tex.strip()) if escaped else tex.strip()
        if time.monotonic() > getattr(self, "deadline", float("inf")):
            return tex_as_code(tex)
        return tex_to_html(tex, display)

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "markdown":
            escaped = cell.source.startswith(SANITIZED_PREFIX)  # HTML: the TeX is escaped
            source = DISPLAY_MATH.sub(lambda m: self.formula(m.group(1), True, escaped),
                                      cell.source)
            cell.source = INLINE_MATH.sub(lambda m: self.formula(m.group(1), False, escaped),
                                          source)
        return cell, resources


@dataclass
class Feedback:
    """The feedback files written, and one line for each student whose feedback failed."""

    written: list[Path] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


def generate_feedback(course: Course, assignment: str, students=None) -> Feedback:
    """HTML feedback for every autograded submission of ``assignment`` (or ``students``) that
    could be graded; one that fails is reported and the others are written."""
    course.check_assignment(assignment)
    graded_dir = course.autograded
    candidates = students or sorted(p.name for p in graded_dir.iterdir()
                                    if (p / assignment).is_dir()) if graded_dir.is_dir() else []
    done = Feedback()
    for student in candidates:
        verdict = load_verdict(course, assignment, student)
        if verdict is None or verdict.status == COULD_NOT_GRADE:
            continue
        try:
            result = feedback_for(course, assignment, student)
        except Exception as error:  # noqa: BLE001 - one student's page must not stop the rest
            result = {"success": False, "log": f"{type(error).__name__}: {error}"}
        if result["success"]:
            done.written.append(course.feedback / student / assignment / f"{assignment}.html")
        else:
            errors = [line for line in result["log"].splitlines() if line.strip()] or ["unknown"]
            done.failed.append(printable(f"{student}: no feedback: {errors[-1].strip()[:300]}"))
    return done


def feedback_for(course: Course, assignment: str, student: str) -> dict:
    """nbgrader's GenerateFeedback for one student; its capture_log result."""
    config = course.nbgrader_config()
    config.HTMLExporter.extra_template_basedirs = [str(TEMPLATES), str(NBGRADER_TEMPLATES)]
    config.HTMLExporter.template_name = "offline_feedback"
    coursedir = CourseDirectory(config=config)
    coursedir.assignment_id = assignment
    coursedir.student_id = student
    converter = GenerateFeedback(coursedir=coursedir, config=config)
    converter.force = True
    # the sanitizer last: the formulas' <img> tags pass through it like any other HTML
    converter.preprocessors = [HideHiddenTests, OfflineMath, RemoveActiveContent, GetGrades,
                               CSSHTMLHeaderPreprocessor]
    return capture_log(converter)
