import sys

from pixelproof.cli import main

sys.exit(main())
