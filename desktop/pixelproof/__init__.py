"""PixelProof: label images and review label quality, offline."""

__version__ = "0.1.0"
