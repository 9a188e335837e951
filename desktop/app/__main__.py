"""``python -m desktop.app``: run the window with the process arguments."""

from __future__ import annotations

import sys

from desktop.app.startup import main

if __name__ == "__main__":
    sys.exit(main())
