"""The data and its rules: pure Python + numpy, never Qt."""
