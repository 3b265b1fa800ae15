"""nbgrader's configuration for the course, mapped onto the repository's folders.

solutions/NN_topic/NN_topic.ipynb is nbgrader's *source*, exercises/NN_topic/ its *release*.
The instructor's working state (submissions, gradebook, autograded copies, feedback) lives
under grading/work/, outside anything released to students.
"""
import os
import sys

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

# The formgrader's submission view draws formulas with the MathJax that jupyter-server-mathjax
# serves, not one from a CDN: grading/jupyter/ (first on JUPYTER_PATH) holds a mathjax.html.j2
# that nbconvert finds for nbgrader's "formgrade" template before its own.
JUPYTER_DATA = os.path.join(REPO, "grading", "jupyter")
if JUPYTER_DATA not in os.environ.get("JUPYTER_PATH", "").split(os.pathsep):
    os.environ["JUPYTER_PATH"] = os.pathsep.join(
        [JUPYTER_DATA] + [p for p in [os.environ.get("JUPYTER_PATH")] if p])
