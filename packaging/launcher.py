"""Entry point of the PyInstaller bundle: the same CLI as ``python -m pixelproof``."""

import sys

from pixelproof.cli import main

if __name__ == "__main__":
    sys.exit(main())
