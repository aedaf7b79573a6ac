"""timeline: an auditable policy-timeline database built from primary sources."""

# The one place the version is written: pyproject.toml reads it from here (hatch's version
# source), so `timeline --version` need not load importlib.metadata (two thirds of start-up).
__version__ = "0.1.0"
