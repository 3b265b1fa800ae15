"""The course's grading: nbgrader, sandboxed and checked. Run ``python -m grading --help``."""
