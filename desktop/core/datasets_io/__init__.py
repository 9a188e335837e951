"""Data-handling tools behind the Datasets tab: pure functions, no Qt, no network.

Every function reads and writes only the paths it is given (plus a temporary file beside an
output path, renamed over it when complete). Long work takes ``progress(done, total)`` and a
``threading.Event`` to cancel; a cancelled function raises
:class:`~desktop.core.errors.OperationCancelledError` after removing anything half-written.

Row indexes (``LineIndex``, ``DatasetDocument``) start at 0; line and row numbers shown to the
user (skipped rows, problems) start at 1.
"""
