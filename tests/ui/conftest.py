"""The real window on the tiny random-weight model, offscreen (see tests/conftest.py)."""

from ui_helpers import data_dir, launch

__all__ = ["data_dir", "launch"]  # fixtures shared with tests/reliability
