"""Versions of the package and of the formats it writes."""

__version__ = "0.1.0"
#: Version of the JSON drift report layout (``format_version`` in every report).
REPORT_FORMAT_VERSION = 1
#: Version of the serialised profile layout.
PROFILE_FORMAT_VERSION = 2
