"""Entry script PyInstaller freezes; it only hands over to the app's command line."""

import sys

if __name__ == "__main__":
    if getattr(sys, "frozen", False):
        # Dataset checks run in worker processes started by "spawn": in a frozen app those
        # re-run this executable, which must hand them to multiprocessing, not start the app.
        import multiprocessing

        multiprocessing.freeze_support()

    from desktop.cli import main

    sys.exit(main())
