"""The composition root: the only module that wires storage, the API layer, the emulator and
the UI together, and the only place that creates the asyncio event loop.

Start-up paints the real window first and loads the rest behind it (``run_gui``, through
:class:`GuiStartup`):

1. *Frame*: the ``QApplication``, the storage (paths, database, profiles, UI settings) and the
   main window's frame (menus, the three tabs, the status bar naming the active connection)
   are created and shown. Nothing on this path imports ``asyncio``, ``qasync``, the model
   catalog, the API layer, ``openai``, ``tiktoken`` or ``desktop.sandbox``: module-level imports
   here stay light, the rest is imported inside the functions that need it.
2. *Content*, in the event-loop turn after the first paint: the qasync loop, the log file, the
   crash hook, the connection service, the tabs' widgets; then the background work (connection
   check, tokenizer vocabularies, model catalog) starts. The SDK loads in a worker thread before
   the first request, and the Demo's emulator starts the first time the Demo connection is used.

Reusable pieces (for tests and ``--self-test``)::

    context = create_app_context(demo_base_url_factory=lambda: emulator.base_url)
    window = build_main_window(context)      # needs a QApplication and the qasync loop set
    ...
    await context.aclose()

    startup = GuiStartup(demo_base_url_factory=...)   # run_gui's two phases, one at a time
    window = startup.open_window()           # the frame, shown
    call_after_first_paint(window, startup.finish)
"""

from __future__ import annotations

from desktop.app.context import (
    AppContext,
    AppStorage,
    build_main_window,
    create_app_context,
    open_storage,
)
from desktop.app.services import (
    DemoServer,
    LazyCatalog,
    LazyConnection,
    LazyKeychain,
)
from desktop.app.startup import (
    GuiStartup,
    StartupLogBuffer,
    buffer_startup_logs,
    call_after_first_paint,
    configure_application,
    configure_logging,
    main,
    run_gui,
)

__all__ = [
    "AppContext",
    "AppStorage",
    "DemoServer",
    "GuiStartup",
    "LazyCatalog",
    "LazyConnection",
    "LazyKeychain",
    "StartupLogBuffer",
    "buffer_startup_logs",
    "build_main_window",
    "call_after_first_paint",
    "configure_application",
    "configure_logging",
    "create_app_context",
    "main",
    "open_storage",
    "run_gui",
]
