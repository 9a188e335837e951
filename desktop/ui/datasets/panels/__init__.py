"""Panels of the Datasets tab that act on a checked file: split/export, estimate, upload.

The tab embeds them and hands each the file and its ``DatasetReport`` with ``set_dataset``:

- ``SplitExportPanel``: training/validation split and "export valid examples"
  (``dataset_created`` carries a new file's ``Path`` for the tab to open).
- ``EstimatePanel``: model picker, tokens, epochs, billable tokens and the training cost, with
  an editable price remembered per model (``recheck_requested`` carries an encoding name when
  the chosen model counts tokens differently from the report).
- ``UploadPanel``: upload with progress, cancel and resume; embeds a ``RemoteFilesWidget``
  (``uploaded`` carries the stored ``RemoteFile``).
- ``RemoteFilesWidget``: the connection's files, with refresh, purpose filter and delete.

Threading: create and use on the GUI thread with the qasync loop running; long work runs in
worker threads (files) or as tasks on the loop (network).
"""

from __future__ import annotations

from desktop.ui.datasets.panels.estimate import EstimatePanel
from desktop.ui.datasets.panels.remote_files import RemoteFilesWidget
from desktop.ui.datasets.panels.split_export import SplitExportPanel
from desktop.ui.datasets.panels.upload import UploadPanel

__all__ = ["EstimatePanel", "RemoteFilesWidget", "SplitExportPanel", "UploadPanel"]
