"""The package version, read by pyproject.toml without importing the package."""

#: The version of this Python package. Its major.minor must match the library's
#: ``tcfaceid_version()`` (checked when the library is loaded).
__version__ = "0.3.0"
