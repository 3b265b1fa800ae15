"""Nothing active or remote from a submission reaches a page that an instructor or a student
opens: the autograded notebook (which the formgrader renders inside the Jupyter server's own
origin), the feedback, and any other page that shows a student's work (``safe_html``,
``safe_markdown`` and ``remove_active_content`` are the public entry points).

An allow-list, applied with bleach (nbconvert's ``SanitizeHTML`` holds the cell loop), whose
output is what is shown:

- elements: the HTML that rendered markdown and plain displays need (``SAFE_TAGS``); SVG,
  MathML, scripts, styles, frames, objects, forms and every element not listed are removed
  (their text stays, as text);
- attributes: a few per element (``SAFE_ATTRIBUTES``); no event handler on any element;
  ``style`` only with bleach's CSS allow-list (no ``url()``);
- URLs (``href``, ``src``): kept only when relative, a ``#fragment``, a ``data:image/...``
  image, or ``attachment:NAME`` of the cell's own attachments (then embedded as a data: URL);
  any other becomes an inert placeholder that says what was removed (``[removed: a link to
  https://...]``), so that opening a page requests nothing a student chose.

Markdown cells (and text/markdown outputs) are kept as written only when their markdown, parsed
by mistune as nbconvert parses it, holds no raw HTML and no link or image outside those URLs.
Any other is replaced by its rendering (nbconvert's renderer), cleaned, on a single line inside
a ``<div>``, so that rendering it as markdown again changes nothing. Attachments are kept when
the kept markdown references them (PNG, JPEG or GIF, at most ``ATTACHMENT_BYTES`` each); the
rest are dropped. Raw cells and text/html outputs are always the cleaned HTML. Code cells keep
only outputs of text, LaTeX, JSON, PNG, JPEG, markdown and HTML (SVG, JavaScript and widget
views are dropped), and the notebook's widget state is dropped.
"""
from __future__ import annotations

import base64
import binascii
import re
from collections import Counter
from functools import partial
from html.parser import HTMLParser
from urllib.parse import urlsplit

import bleach
from bleach.css_sanitizer import ALLOWED_CSS_PROPERTIES, CSSSanitizer
from bleach.html5lib_shim import Filter
from nbconvert.filters.markdown_mistune import IPythonRenderer, MarkdownWithMath
from nbconvert.preprocessors.sanitize import SanitizeHTML

SAFE_TAGS = frozenset(bleach.ALLOWED_TAGS | {
    "p", "div", "span", "br", "hr", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "img", "table",
    "thead", "tbody", "tr", "th", "td", "caption", "del", "sub", "sup", "dl", "dt", "dd", "input"})
COMMON_ATTRIBUTES = {"class", "title"}
SAFE_ATTRIBUTES = {
    "a": {"href"}, "abbr": set(), "acronym": set(),
    "img": {"src", "alt", "width", "height", "style"},
    "th": {"style", "align"}, "td": {"style", "align"},
    "span": {"style"}, "div": {"style"}, "p": {"style"},
    "input": {"type", "checked", "disabled"},  # task lists: <input type="checkbox" disabled>
    **{f"h{level}": {"id"} for level in range(1, 7)},
}
URL_ATTRIBUTES = {"href", "src"}
# bleach refuses every other scheme (javascript:, vbscript:, file:, ...) before our filter
SCHEMES = ["http", "https", "mailto", "ftp", "data", "attachment"]
IMAGE_TYPES = ("image/png", "image/jpeg", "image/gif")
DATA_IMAGE = re.compile(r"^data:image/[a-z0-9.+-]+[;,]", re.IGNORECASE)
ATTACHMENT_BYTES = 1_000_000  # an attachment larger than this is dropped
URL_SHOWN = 80  # characters of a removed URL the placeholder quotes
LOOKS_LIKE_A_TAG = re.compile(r"<[A-Za-z/!?]")  # in text a markdown parser left as text
INVISIBLE = re.compile(r"[\x00-\x20\x7f]")  # what a browser ignores inside a URL


def allowed_attribute(tag: str, name: str, value: str) -> bool:
    return name in COMMON_ATTRIBUTES or name in SAFE_ATTRIBUTES.get(tag, ())


def is_local(url: str) -> bool:
    """A relative URL or a #fragment: it names nothing outside the page's own origin."""
    squeezed = INVISIBLE.sub("", url).replace("\\", "/")
    parts = urlsplit(squeezed)
    return not (parts.scheme or parts.netloc or squeezed.startswith("//"))


def attachment_url(name: str, attachments: dict) -> str | None:
    """The data: URL of the cell's attachment ``name`` (an image within bounds), else None."""
    bundle = attachments.get(name) or {}
    for mime in IMAGE_TYPES:
        data = bundle.get(mime)
        if isinstance(data, list):
            data = "".join(data)
        if isinstance(data, str) and len(data) * 3 // 4 <= ATTACHMENT_BYTES:
            try:
                base64.b64decode(data, validate=True)
            except (binascii.Error, ValueError):
                continue
            return f"data:{mime};base64,{data}"
    return None


def shown_url(url: str, tag: str, attachments: dict) -> str | None:
    """The URL a page may show for ``tag``'s URL attribute, or None if it must be removed."""
    squeezed = INVISIBLE.sub("", url)
    if squeezed.lower().startswith("attachment:"):
        return attachment_url(squeezed[len("attachment:"):], attachments)
    if tag == "img" and DATA_IMAGE.match(squeezed):
        return url
    return url if is_local(url) else None


def placeholder(what: str, url: str) -> str:
    quoted = url if len(url) <= URL_SHOWN else url[:URL_SHOWN] + "..."
    return f"[removed: {what} {quoted}]"


class LocalURLsOnly(Filter):
    """html5lib filter (run by bleach after its own): every href/src that is not local becomes
    a placeholder; ``attachment:`` images become data: URLs. ``removed`` collects what went."""

    def __init__(self, source, attachments: dict, removed: list):
        super().__init__(source)
        self.attachments, self.removed = attachments, removed

    def __iter__(self):
        for token in super().__iter__():
            if token["type"] not in ("StartTag", "EmptyTag"):
                yield token
                continue
            notes = []
            for key in [k for k in token["data"] if k[1] in URL_ATTRIBUTES]:
                url = token["data"][key]
                shown = shown_url(url, token["name"], self.attachments)
                if shown is None:
                    what = "an image from" if token["name"] == "img" else "a link to"
                    notes.append(placeholder(what, url))
                    del token["data"][key]
                else:
                    token["data"][key] = shown
            self.removed += notes
            if notes and token["name"] == "img":  # an <img> without its source: only the note
                yield {"type": "Characters", "data": " ".join(notes)}
                continue
            yield token
            if notes:
                yield {"type": "Characters", "data": " ".join(notes) + " "}


def clean_html(text: str, attachments: dict | None = None) -> str:
    """``text`` (HTML) through the allow-list; what a page may show."""
    removed = []
    cleaner = bleach.Cleaner(
        tags=SAFE_TAGS, attributes=allowed_attribute, protocols=SCHEMES, strip=True,
        strip_comments=True,
        css_sanitizer=CSSSanitizer(allowed_css_properties=ALLOWED_CSS_PROPERTIES),
        filters=[partial(LocalURLsOnly, attachments=attachments or {}, removed=removed)])
    return cleaner.clean(text)


def safe_html(text: str, attachments: dict | None = None) -> str:
    """Public: HTML a student controls, cleaned (see the module doc); always the cleaned text."""
    return clean_html(text, attachments)


# --- markdown ------------------------------------------------------------------------------

SANITIZED_PREFIX = '<div class="nn-sanitized">'
PARSER = MarkdownWithMath(renderer=None)  # nbconvert's markdown, as a syntax tree


def markdown_tokens(source: str) -> list:
    tokens, stack = [], list(PARSER(source))
    while stack:
        token = stack.pop()
        tokens.append(token)
        stack += token.get("children", [])
    return tokens


def markdown_as_written(source: str, attachments: dict) -> bool:
    """True when ``source`` holds no raw HTML and each of its links and images is local (or
    an attachment the cell has): then it may be shown exactly as written."""
    for token in markdown_tokens(source):
        kind = token["type"]
        if kind in ("block_html", "inline_html"):
            return False
        if kind == "text" and LOOKS_LIKE_A_TAG.search(token.get("raw", "")):
            return False  # mistune saw text, another markdown renderer may see a tag
        info = str(token.get("attrs", {}).get("info", ""))
        if kind == "block_code" and info.startswith("mermaid"):  # a diagram drawn by a script
            return False
        if kind in ("link", "image"):
            tag = "img" if kind == "image" else "a"
            if shown_url(token["attrs"]["url"], tag, attachments) is None:
                return False
    return True


def referenced_attachments(source: str) -> set[str]:
    return {token["attrs"]["url"][len("attachment:"):] for token in markdown_tokens(source)
            if token["type"] == "image" and token["attrs"]["url"].startswith("attachment:")}


class EmbeddingRenderer(IPythonRenderer):
    """nbconvert's renderer, with attachment: images left for ``clean_html`` to embed (or to
    replace by a placeholder when the cell does not have them)."""

    def image(self, text, url, title=None):
        return super(IPythonRenderer, self).image(text, url, title)


def render_markdown(source: str) -> str:
    return MarkdownWithMath(renderer=EmbeddingRenderer(escape=False)).render(source)


def safe_markdown(source: str, attachments: dict | None = None) -> str:
    """Public: markdown a student controls, as it may be shown: ``source`` itself when
    ``markdown_as_written``, else its rendering, cleaned, on one line in a ``<div>`` (an HTML
    block that markdown leaves alone: a blank line would end it)."""
    attachments = attachments or {}
    if markdown_as_written(source, attachments):
        return source
    cleaned = clean_html(render_markdown(source), attachments)
    return SANITIZED_PREFIX + cleaned.replace("\n", "&#10;") + "</div>"


# --- counting what was removed (the verdict's note) ------------------------------------------

class Inventory(HTMLParser):
    """How many times each element and each (element, attribute) occurs in an HTML text."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.parts = Counter()
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.parts[tag] += 1
        self.parts.update(f"{tag} {name}" for name, _ in attrs)


def lost_something(before: str, after: str) -> bool:
    """Whether cleaning took an element, an attribute or a URL away (a note, never a gate)."""
    return bool(Inventory(before).parts - Inventory(after).parts)


# --- notebooks -----------------------------------------------------------------------------

class RemoveActiveContent(SanitizeHTML):
    """The allow-list on every cell (see the module doc); ``changed_cells`` counts the cells
    that lost something (an element, an attribute, a URL, an output kind)."""

    def __init__(self, **kwargs):
        super().__init__(tags=sorted(SAFE_TAGS), strip=True, **kwargs)
        self.safe_output_keys = self.safe_output_keys | {"text/markdown", "text/html"}
        self.changed_cells = 0

    def preprocess(self, nb, resources):
        nb.metadata.pop("widgets", None)
        return super().preprocess(nb, resources)

    def preprocess_cell(self, cell, resources, index):
        lost = False
        if cell.cell_type == "markdown":
            attachments = dict(cell.get("attachments") or {})
            source = cell.source
            cell.source = safe_markdown(source, attachments)
            kept = referenced_attachments(cell.source) if cell.source == source else set()
            kept_attachments = {name: {mime: data for mime, data in attachments[name].items()
                                       if mime in IMAGE_TYPES}
                                for name in kept if attachment_url(name, attachments)}
            cell.pop("attachments", None)
            if kept_attachments:
                cell["attachments"] = kept_attachments
            lost = cell.source != source and lost_something(render_markdown(source), cell.source)
        elif cell.cell_type == "raw":
            source = cell.source
            cell.source = safe_html(source)
            cell.pop("attachments", None)  # a raw cell shows none
            lost = lost_something(source, cell.source)
        elif cell.cell_type == "code":
            kinds = sum(len(output.get("data", {})) for output in cell.outputs)
            for output in cell.outputs:
                data = output.get("data", {})
                if "text/markdown" in data:
                    before = data["text/markdown"]
                    data["text/markdown"] = safe_markdown(before)
                    lost |= data["text/markdown"] != before and lost_something(
                        render_markdown(before), data["text/markdown"])
                if "text/html" in data:
                    before = data["text/html"]
                    data["text/html"] = safe_html(before)
                    lost |= lost_something(before, data["text/html"])
            cell.outputs = self.sanitize_code_outputs(cell.outputs)  # drops the other kinds
            lost |= sum(len(output.get("data", {})) for output in cell.outputs) < kinds
        self.changed_cells += bool(lost)
        return cell, resources


def remove_active_content(nb) -> int:
    """Sanitize ``nb`` in place; return how many cells lost something."""
    sanitizer = RemoveActiveContent()
    sanitizer.preprocess(nb, {})
    return sanitizer.changed_cells
