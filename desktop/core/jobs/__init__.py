"""Pure logic of the Jobs tab: costs, settings checks, statuses, metrics, advice, reports.

No Qt, no network, no database: the UI and the API layer build on these functions, and the
local record (``desktop.storage.jobs_store``) stores the plain records of :mod:`.records`.
"""

from __future__ import annotations
