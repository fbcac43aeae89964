"""MajicFlux Desktop: offline text-to-image with majicflus_v1 and a float8 transformer."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("majicflux-desktop")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.0.0+source"

APP_NAME = "MajicFlux"
