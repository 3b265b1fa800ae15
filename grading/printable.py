"""Text from a submission as a terminal, a log or a table may show it, and which student ids
collect accepts.

``printable`` escapes every character that is not printable (control characters such as ESC
and carriage return, bidi overrides such as U+202E, zero-width characters, lone surrogates) as
``\\xNN`` / ``\\uNNNN``, so that nothing a student wrote moves the cursor, clears the screen,
reverses a line or forges a row. ``id_problem`` says why a student id is refused.
"""
from __future__ import annotations

import unicodedata

MAX_ID_CHARS = 100


def printable(text: str) -> str:
    """``text`` with each non-printable character escaped."""
    text = str(text)
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else escaped(c) for c in text)


def escaped(character: str) -> str:
    code = ord(character)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 \
        else f"\\U{code:08x}"


def id_problem(student_id: str) -> str | None:
    """Why ``student_id`` cannot name a student (None when it can): it must be printable
    (no control, bidi or zero-width character), in Unicode's NFKC form (no look-alike of
    another id), without surrounding spaces, and at most MAX_ID_CHARS characters."""
    if not student_id.isprintable():
        return "the id holds control, bidi or zero-width characters"
    if unicodedata.normalize("NFKC", student_id) != student_id:
        return "the id is not in Unicode normal form NFKC (it could look like another)"
    if student_id != student_id.strip():
        return "the id starts or ends with a space"
    if len(student_id) > MAX_ID_CHARS:
        return f"the id is longer than {MAX_ID_CHARS} characters"
    return None
