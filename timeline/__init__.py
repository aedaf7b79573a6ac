"""timeline: an auditable policy-timeline database built from primary sources."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("policy-timeline")
except PackageNotFoundError:  # running from a checkout that was never installed
    __version__ = "0.0.0+checkout"
