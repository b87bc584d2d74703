"""Benchmarks: ``python -m bench NAME`` runs ``bench/NAME.py`` and prints figures beside their reference."""
