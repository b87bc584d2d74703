"""Entry point of the PyInstaller bundle: the same CLI as ``python -m pixelproof``."""

import multiprocessing
import sys

from pixelproof.cli import main

if __name__ == "__main__":
    # --workers N starts worker processes with the spawn method: each re-runs this executable, and
    # freeze_support() turns such a run into a worker instead of a second CLI
    multiprocessing.freeze_support()
    sys.exit(main())
