"""nbgrader's configuration for the course, mapped onto the repository's folders.

solutions/NN_topic/NN_topic.ipynb is nbgrader's *source*, exercises/NN_topic/ its *release*.
The instructor's working state (submissions, gradebook, autograded copies, feedback) lives
under grading/work/, outside anything released to students.
"""
import os
import sys

import nbgrader

c = get_config()  # noqa: F821  (provided by nbgrader when it loads this file)

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORK = os.path.join(REPO, "grading", "work")
# On a fresh clone the formgrader opens the gradebook before any release made this folder,
# and nbgrader creates it with the venv's alembic, called by name.
os.makedirs(WORK, exist_ok=True)
VENV_BIN = os.path.dirname(sys.executable)
if VENV_BIN not in os.environ["PATH"].split(os.pathsep):
    os.environ["PATH"] = os.pathsep.join([VENV_BIN, os.environ["PATH"]])

c.CourseDirectory.course_id = "nn-course"
c.CourseDirectory.root = REPO
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "exercises"
c.CourseDirectory.submitted_directory = "grading/work/submitted"
c.CourseDirectory.autograded_directory = "grading/work/autograded"
c.CourseDirectory.feedback_directory = "grading/work/feedback"
c.CourseDirectory.db_url = "sqlite:///" + os.path.join(WORK, "gradebook.db")

# nbconvert templates: the course's own first (grading/templates: "offline_feedback", and the
# formgrader's MathJax from the Jupyter server instead of a CDN), then nbgrader's.
c.HTMLExporter.extra_template_basedirs = [
    os.path.join(REPO, "grading", "templates"),
    os.path.join(os.path.dirname(nbgrader.__file__), "server_extensions", "formgrader",
                 "templates"),
]

# For plain nbgrader commands run from grading/ (the formgrader, manual grading): a test cell a
# student deleted or stripped of its metadata is put back instead of silently dropped.
# `python -m grading` (see grading/README.md) does the same and much more; grade with it.
c.OverwriteCells.add_missing_cells = True
