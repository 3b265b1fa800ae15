"""Build the course's website: python site/build.py [OUT] (what `make site` runs; OUT
defaults to _build/site). Stages the pages' sources (site/sources.py) in OUT-work/src and
renders them with Sphinx; any Sphinx warning fails the build. Set COURSE_REPOSITORY_URL to
the URL prefix of the repository's files (https://host/org/course/blob/main) to link each
lecture's exercise there."""
from __future__ import annotations

import os
import sys
from pathlib import Path

from sphinx.cmd.build import build_main

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from sources import stage  # noqa: E402


def build(out: Path) -> int:
    work = out.with_name(out.name + "-work")
    stage(HERE.parent, work / "src", os.environ.get("COURSE_REPOSITORY_URL", ""))
    return build_main(["--builder", "html", "--fail-on-warning", "--keep-going", "--quiet",
                       "--conf-dir", str(HERE), "--doctree-dir", str(work / "doctrees"),
                       str(work / "src"), str(out)])


if __name__ == "__main__":
    out = Path(sys.argv[1] if len(sys.argv) > 1 else HERE.parent / "_build" / "site")
    status = build(out.resolve())
    if status == 0:
        print(f"the course's website: {out / 'index.html'}")
    sys.exit(status)
