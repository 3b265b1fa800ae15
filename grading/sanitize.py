"""Nothing active from a submission reaches a page that an instructor or a student opens.

The autograded notebook (which the formgrader renders inside the Jupyter server's own origin)
and the feedback go through nbconvert's ``SanitizeHTML`` (bleach) first, for every cell:

- markdown cells (and text/markdown outputs): rendered to HTML as nbconvert renders them, and
  cleaned; one that loses anything in cleaning (a script, an event-handler attribute, a
  ``javascript:`` link written in markdown or in HTML, an iframe, object or embed, a style
  element, an SVG, a comment) is replaced by its cleaned HTML (see ``safe_markdown``), its
  attachments dropped; any other is left as written (so ``a < b`` keeps its code spans);
- raw cells and text/html outputs: cleaned the same way, as HTML;
- code cells keep only outputs of text, LaTeX, JSON, PNG, JPEG, markdown and HTML
  (nbconvert's ``sanitize_code_outputs``): SVG, JavaScript and widget views are dropped;
- the notebook's widget state is dropped.

"Loses anything" is judged by cleaning the same HTML a second time with every tag, attribute
and URL scheme allowed: what differs between the two was removed by the sanitizer.
"""
from __future__ import annotations

import copy
import html

import bleach
from bleach.css_sanitizer import ALLOWED_CSS_PROPERTIES, CSSSanitizer
from bleach.html5lib_shim import HTML_TAGS
from nbconvert.filters.markdown_mistune import markdown2html_mistune
from nbconvert.preprocessors.sanitize import SanitizeHTML

# What rendered markdown and plain HTML displays need (bleach's defaults are fewer).
SAFE_TAGS = sorted(bleach.ALLOWED_TAGS | {
    "p", "div", "span", "br", "hr", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "img", "table",
    "thead", "tbody", "tr", "th", "td", "caption", "del", "sub", "sup", "dl", "dt", "dd"})
SAFE_ATTRIBUTES = {**bleach.ALLOWED_ATTRIBUTES, "*": ["class", "title"],
                   "img": ["src", "alt", "title", "width", "height"],
                   "th": ["style", "align"], "td": ["style", "align"],
                   **{f"h{level}": ["id"] for level in range(1, 7)}}
EVERY_SCHEME = ["http", "https", "mailto", "javascript", "vbscript", "data", "file",
                "attachment"]


class RemoveActiveContent(SanitizeHTML):
    """SanitizeHTML on every cell (see the module doc); ``changed_cells`` counts the cells
    that lost something."""

    def __init__(self, **kwargs):
        super().__init__(tags=SAFE_TAGS, attributes=SAFE_ATTRIBUTES, strip=True, **kwargs)
        # made safe by safe_markdown and safe_html before SanitizeHTML sees the outputs
        self.safe_output_keys = self.safe_output_keys | {"text/markdown", "text/html"}
        self.changed_cells = 0

    def preprocess(self, nb, resources):
        nb.metadata.pop("widgets", None)
        return super().preprocess(nb, resources)

    def preprocess_cell(self, cell, resources, index):
        before = copy.deepcopy(cell)
        if cell.cell_type == "markdown":
            cell.source = self.safe_markdown(cell.source)
        elif cell.cell_type == "raw":
            cell.source = self.safe_html(cell.source)
        elif cell.cell_type == "code":
            for output in cell.outputs:
                data = output.get("data", {})
                if "text/markdown" in data:
                    data["text/markdown"] = self.safe_markdown(data["text/markdown"])
                if "text/html" in data:
                    data["text/html"] = self.safe_html(data["text/html"])
            cell.outputs = self.sanitize_code_outputs(cell.outputs)  # drops the other kinds
        if cell != before:
            cell.pop("attachments", None)
            self.changed_cells += 1
        return cell, resources

    def safe_html(self, text: str) -> str:
        """``text`` (HTML) unchanged if the sanitizer removes nothing from it, else sanitized."""
        cleaned = self.sanitize_html_tags(text)
        return text if cleaned == allow_everything(text) else cleaned

    def safe_markdown(self, source: str, rounds: int = 5) -> str:
        """Markdown that renders (as nbconvert renders it) to HTML the sanitizer leaves whole:
        ``source`` itself when it does, else its rendering, sanitized, until that renders
        whole too (sanitized HTML is markdown again, and text such as ``[a](javascript:b)``
        in it would become a link); plain escaped text if that does not settle."""
        for _ in range(rounds):
            rendered = markdown2html_mistune(source)
            cleaned = self.sanitize_html_tags(rendered)
            if cleaned == allow_everything(rendered):
                return source
            source = cleaned
        return html.escape(source)


def allow_everything(html: str) -> str:
    """``html`` through the same cleaner with nothing forbidden: what the sanitizer's output
    must equal when it removed nothing."""
    return bleach.clean(html, tags=HTML_TAGS, attributes=lambda tag, name, value: True,
                        protocols=EVERY_SCHEME, strip=True, strip_comments=True,
                        css_sanitizer=CSSSanitizer(allowed_css_properties=ALLOWED_CSS_PROPERTIES))


def remove_active_content(nb) -> int:
    """Sanitize ``nb`` in place; return how many cells lost something."""
    sanitizer = RemoveActiveContent()
    sanitizer.preprocess(nb, {})
    return sanitizer.changed_cells
