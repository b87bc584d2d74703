"""Bundled data: icons, theme, demo project (read with importlib.resources)."""
