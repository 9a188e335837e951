"""Entry script PyInstaller freezes; it only hands over to the app's command line."""

import sys

from desktop.cli import main

if __name__ == "__main__":
    sys.exit(main())
