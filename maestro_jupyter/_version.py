"""The installed version. Its one source is ``labextension/package.json`` (read by hatch-nodejs-version at build
time), so the Python package and the lab extension always carry the same number."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("maestro_jupyter")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"
