"""The allow-list sanitizer (grading/sanitize.py), the escaping of what is printed
(grading/printable.py) and the feedback's bounds on formula drawing, without any kernel."""
import re

import pytest
from nbconvert.filters.markdown_mistune import markdown2html_mistune
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output, new_raw_cell

from grading.feedback import MAX_FORMULA_CHARS, OfflineMath
from grading.gallery import (ACTIVE_MARK, ACTIVE_MARKDOWN, FORMULA_FLOOD, HOSTILE_MARKUP,
                             PNG_70_BYTES)
from grading.printable import id_problem, printable
from grading.sanitize import SANITIZED_PREFIX, remove_active_content, safe_html, safe_markdown

# What could run or call out once a page shows the HTML: a handler attribute, a script-like
# element, or a URL attribute that is neither local nor a data: image.
ACTIVE = re.compile(r"<(script|iframe|object|embed|style|svg|math|animate|xss|video|base)\b|"
                    r"\son\w+\s*=|style\s*=\s*[\"'][^\"']*url\s*\(|"
                    r"(href|src|srcset|poster|data)\s*=\s*[\"']?\s*"
                    r"(?!#|data:image/|(?!//)[\w./-]*[\"'\s>])", re.IGNORECASE)

HOSTILE = [
    '<svg onload="x()"></svg>',
    '<svg><animate onbegin="x()" attributeName="x" dur="1s"/></svg>',
    '<xss autofocus tabindex=1 onfocus="x()">unknown</xss>',
    '<math><mi xlink:href="javascript:x()">m</mi></math>',
    '<math><style><img src=x onerror=x()></style></math>',
    '<img src="http://any.host/a.png?d=1">',
    '<img src="//any.host/a.png">',
    '<img src="\\\\any.host\\a.png">',
    '<img src=" https://any.host/a.png">',
    '<img srcset="http://any.host/a.png 1x" src="local.png">',
    '<video poster="http://any.host/p.png"></video>',
    '<a href="http://any.host/?leak">a link</a>',
    '<img src="data:text/html,<script>x()</script>">',
    '<p style="background: url(http://any.host/a.png)">styled</p>',
    '<details open ontoggle="x()">d</details>',
    '<base href="http://any.host/">',
]


@pytest.mark.parametrize("payload", HOSTILE)
def test_the_sanitized_html_has_nothing_active_or_remote(payload):
    assert ACTIVE.search(payload)  # the pattern sees it
    cleaned = safe_html(payload)
    assert not ACTIVE.search(cleaned), cleaned
    assert not ACTIVE.search(markdown2html_mistune(safe_markdown(payload))), payload


def test_svg_with_a_handler_is_never_handed_back():
    assert safe_html('<svg onload="x()"></svg>') == ""


def test_a_remote_url_becomes_a_placeholder_that_names_it():
    assert safe_html('<img src="http://any.host/a.png">') == (
        "[removed: an image from http://any.host/a.png]")
    assert safe_html('<a href="https://numpy.org">np</a>') == (
        "<a>[removed: a link to https://numpy.org] np</a>")


def test_local_urls_data_images_and_the_cells_attachments_stay():
    kept = ('<a href="#part-2">up</a><img src="figures/plot.png">'
            '<img src="data:image/png;base64,AA==">')
    assert safe_html(kept) == kept
    attachments = {"image.png": {"image/png": PNG_70_BYTES}}
    embedded = safe_html('<img src="attachment:image.png">', attachments)
    assert embedded == f'<img src="data:image/png;base64,{PNG_70_BYTES}">'
    assert safe_html('<img src="attachment:other.png">') == (
        "[removed: an image from attachment:other.png]")


def test_markdown_without_raw_html_or_remote_urls_is_kept_as_written():
    plain = "Compare $a < b$ and `x < 1`; **bold**, [a section](#part-2), ![i](attachment:i.png)."
    assert safe_markdown(plain, {"i.png": {"image/png": PNG_70_BYTES}}) == plain
    for changed in ["a <b>b</b>", "[a link](https://example.org)", "![r](http://a.host/i.png)",
                    "![i](attachment:missing.png)", "[js](javascript:x())"]:
        assert safe_markdown(changed) != changed, changed


def test_a_sanitized_rendering_renders_as_itself():
    """Rendered again as markdown (as nbconvert does), the cleaned HTML stays what it is: text
    such as [a](javascript:b) in it is never turned into a link."""
    source = "<div>\n\n[a](javascript:x())\n\n</div>\n\n<b>t</b> \\[c\\](javascript:y())"
    once = safe_markdown(source)
    assert markdown2html_mistune(once).strip() == once
    assert "[c](javascript:y())" in once and not ACTIVE.search(once)


def test_the_gallerys_payloads_leave_nothing_active():
    for markdown in (ACTIVE_MARKDOWN, HOSTILE_MARKUP):
        cleaned = markdown2html_mistune(safe_markdown(markdown))
        assert not ACTIVE.search(cleaned), cleaned


def test_a_notebook_keeps_referenced_bounded_attachments_and_counts_what_it_changed():
    pasted = new_markdown_cell("![sketch](attachment:image.png)")
    pasted["attachments"] = {"image.png": {"image/png": PNG_70_BYTES},
                             "unused.png": {"image/png": "A" * 4_000}}
    huge = new_markdown_cell("![huge](attachment:huge.png)")
    huge["attachments"] = {"huge.png": {"image/png": "A" * 2_000_000}}
    output = new_output("display_data", data={
        "text/html": f"<b onclick='{ACTIVE_MARK}()'>b</b>", "text/plain": "b",
        "text/markdown": f"[c](javascript:{ACTIVE_MARK}())", "image/svg+xml": "<svg/>",
        "application/javascript": f"{ACTIVE_MARK}()"})
    plain = "Compare $a < b$ and `x < 1`."
    nb = new_notebook(cells=[pasted, huge, new_markdown_cell(plain),
                             new_code_cell("x", outputs=[output]),
                             new_raw_cell(f"<script>{ACTIVE_MARK}()</script>")])
    assert remove_active_content(nb) == 3  # huge (its image), the outputs, the raw cell
    assert nb.cells[0].source == "![sketch](attachment:image.png)"
    assert nb.cells[0].attachments == {"image.png": {"image/png": PNG_70_BYTES}}
    assert "attachments" not in nb.cells[1] and "[removed: an image" in nb.cells[1].source
    assert nb.cells[2].source == plain
    data = nb.cells[3].outputs[0].data
    assert set(data) == {"text/html", "text/plain", "text/markdown"}
    assert "onclick" not in data["text/html"] and "javascript:" not in data["text/markdown"]
    assert "<script" not in nb.cells[4].source


def test_printed_text_cannot_move_the_cursor_or_reverse_a_line():
    assert printable("alice") == "alice" and printable("é") == "é"
    assert printable("x\x1b[2J\r\u202e\u200b\ud800") == "x\\x1b[2J\\x0d\\u202e\\u200b\\ud800"
    assert "\n" not in printable("bob\nalice  15 / 15  graded")


@pytest.mark.parametrize("student", ["mallory\u202eecila", "carol\rdave", "x\x1b[2J", "a\u200bb",
                                     "ａｌｉｃｅ", " alice", "a" * 101, "bob\nalice"])
def test_a_student_id_must_be_printable_and_unambiguous(student):
    assert id_problem(student)


def test_ordinary_student_ids_are_accepted():
    assert [id_problem(s) for s in ["alice", "Élodie", "s1234567", "o'brien", "van der berg"]] == [
        None] * 5


def test_formula_drawing_is_bounded():
    cell = new_markdown_cell(FORMULA_FLOOD + r" and $\sigma(z)$")
    OfflineMath().preprocess(new_notebook(cells=[cell]), {})
    assert cell.source.count("<code>") == 4 and cell.source.count("data:image/svg+xml") == 1
    assert len(cell.source) < len(FORMULA_FLOOD) + 20_000
    assert all(len(tex) > MAX_FORMULA_CHARS for tex in re.findall(r"\$\$(.+?)\$\$", FORMULA_FLOOD))


def test_markdown_text_that_another_renderer_could_read_as_a_tag_is_not_kept_as_written():
    # mistune leaves '<svg/onload=...>' as text; JupyterLab's markdown renderer may not
    kept = safe_markdown("see <svg/onload=alert(1)>")
    assert kept.startswith(SANITIZED_PREFIX) and "<svg" not in kept
    assert safe_markdown("a < b and *x*") == "a < b and *x*"  # a comparison stays as written
