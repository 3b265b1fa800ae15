"""nbgrader's configuration for the course, mapped onto the repository's folders.

solutions/NN_topic/NN_topic.ipynb is nbgrader's *source*, exercises/NN_topic/ its *release*.
The instructor's working state (submissions, gradebook, autograded copies, feedback) lives
under grading/work/, outside anything released to students.
"""
import os

c = get_config()  # noqa: F821  (provided by nbgrader when it loads this file)

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

c.CourseDirectory.course_id = "nn-course"
c.CourseDirectory.root = REPO
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "exercises"
c.CourseDirectory.submitted_directory = "grading/work/submitted"
c.CourseDirectory.autograded_directory = "grading/work/autograded"
c.CourseDirectory.feedback_directory = "grading/work/feedback"
c.CourseDirectory.db_url = "sqlite:///" + os.path.join(REPO, "grading", "work", "gradebook.db")

# For plain nbgrader commands run from grading/ (the formgrader, manual grading): a test cell a
# student deleted or stripped of its metadata is put back instead of silently dropped.
# `python -m grading` (see grading/README.md) does the same and much more; grade with it.
c.OverwriteCells.add_missing_cells = True
