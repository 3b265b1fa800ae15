"""``feedback``: nbgrader's generate_feedback, made safe to hand out and readable offline.

nbgrader's feedback shows the autograded notebook as it ran, hidden tests and their tracebacks
included, and loads MathJax from a CDN. Three preprocessors run before nbgrader's own:

- ``RemoveActiveContent`` (``sanitize.py``): nbconvert's SanitizeHTML on every cell, so that
  nothing the student wrote or displayed runs in the page;
- ``HideHiddenTests``: in every test cell with a hidden region, the region is cut from the source
  (nbgrader's ClearHiddenTests), printed output is dropped (a student's function could print
  the hidden inputs), an error raised by a hidden line becomes "a hidden test failed", and any
  traceback line that quotes a hidden line is removed;
- ``OfflineMath``: ``$...$`` and ``$$...$$`` in markdown become inline SVG drawn by matplotlib's
  mathtext, and the MathJax script is left out of the page.

Submissions that could not be graded get no feedback (a person looks at them first).
"""
from __future__ import annotations

import base64
import html
import io
import re
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
from .sanitize import RemoveActiveContent
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


@lru_cache(maxsize=512)
def tex_to_html(tex: str, display: bool) -> str:
    """An <img> with the formula as SVG (mathtext), or the TeX as code if mathtext cannot."""
    buffer = io.BytesIO()
    try:
        mathtext.math_to_image(f"${tex}$", buffer, prop=FontProperties(size=13 if display else 11),
                               format="svg")
    except (ValueError, RuntimeError):
        return f"<code>{html.escape(tex)}</code>"
    data = base64.b64encode(buffer.getvalue()).decode()
    img = (f'<img alt="{html.escape(tex, quote=True)}" style="vertical-align: middle" '
           f'src="data:image/svg+xml;base64,{data}">')
    return f'<div style="text-align: center">{img}</div>' if display else img


DISPLAY_MATH = re.compile(r"\$\$(.+?)\$\$", re.DOTALL)
INLINE_MATH = re.compile(r"(?<![\\$])\$(?!\$)(.+?)(?<![\\$])\$")


class OfflineMath(NbGraderPreprocessor):
    """Markdown math drawn as inline SVG, so the feedback needs no MathJax and no network."""

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "markdown":
            source = DISPLAY_MATH.sub(lambda m: tex_to_html(m.group(1).strip(), True), cell.source)
            cell.source = INLINE_MATH.sub(lambda m: tex_to_html(m.group(1).strip(), False), source)
        return cell, resources


def generate_feedback(course: Course, assignment: str, students=None) -> list[Path]:
    """HTML feedback for every autograded submission of ``assignment`` (or ``students``) that
    could be graded; returns the files written."""
    course.check_assignment(assignment)
    graded_dir = course.autograded
    candidates = students or sorted(p.name for p in graded_dir.iterdir()
                                    if (p / assignment).is_dir()) if graded_dir.is_dir() else []
    written = []
    for student in candidates:
        verdict = load_verdict(course, assignment, student)
        if verdict is None or verdict.status == COULD_NOT_GRADE:
            continue
        config = course.nbgrader_config()
        config.HTMLExporter.extra_template_basedirs = [str(TEMPLATES), str(NBGRADER_TEMPLATES)]
        config.HTMLExporter.template_name = "offline_feedback"
        coursedir = CourseDirectory(config=config)
        coursedir.assignment_id = assignment
        coursedir.student_id = student
        converter = GenerateFeedback(coursedir=coursedir, config=config)
        converter.force = True
        converter.preprocessors = [RemoveActiveContent, HideHiddenTests, OfflineMath, GetGrades,
                                   CSSHTMLHeaderPreprocessor]
        result = capture_log(converter)
        if not result["success"]:
            raise RuntimeError(f"feedback for {student} failed:\n{result['log']}")
        written.append(course.feedback / student / assignment / f"{assignment}.html")
    return written
