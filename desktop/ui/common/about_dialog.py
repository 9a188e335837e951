"""About, data privacy and getting-started dialogs (Help menu).

Version numbers are read from package metadata: the SDK is never imported just to show its
version, so opening About costs nothing.
"""

from __future__ import annotations

import html
import importlib.metadata

import PySide6
from PySide6.QtCore import Qt, qVersion
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from desktop import APP_NAME, __version__

PRIVACY_LINK = "privacy"

PRIVACY_HTML = """
<h3>Your data and privacy</h3>
<p><b>What is sent, and where.</b> Finetune Studio talks only to the connection you choose
in Preferences (OpenAI, Azure OpenAI or a compatible service). It sends what a fine-tuning run
needs: the training and validation files you upload, the settings of the jobs you start, and the
prompts you type in the Playground. Nothing is sent to the Finetune Studio team: there is no
telemetry and no analytics.</p>
<p><b>Your data stays yours.</b> Your datasets and the models trained from them belong to you.
Each provider's terms say how long it keeps uploaded files and whether it may use them; OpenAI
and Azure OpenAI state that fine-tuning data is not used to train their other models. You can
delete uploaded files from the provider at any time.</p>
<p><b>The Demo sends nothing anywhere.</b> The Demo connection is a simulation running inside
the app on this computer. Its replies and jobs are made up, it costs nothing, and its data lives
only in the app's own folder (Demo → Reset demo data… clears it).</p>
<p><b>API keys</b> are kept in your system's keychain (or, if there is none, only in memory
for the current session). They are never written to log files, error reports or settings
files.</p>
"""

GETTING_STARTED_HTML = """
<h3>Getting started</h3>
<p>Finetune Studio teaches a language model from your own examples, in three steps, one per
tab:</p>
<ol>
<li><b>Datasets</b>: open example conversations (a JSONL file, or a spreadsheet to
convert), or press <i>Try the sample dataset</i>. The app checks every line, says what is wrong
and where, fixes common problems in a copy, and tells you how many tokens the file holds and
what training will roughly cost.</li>
<li><b>Jobs</b>: press <i>New job…</i>, choose the dataset, a base model and (optionally) a
validation part; the last page shows the cost before anything is uploaded. The job's progress,
charts and checkpoints appear as it trains, and you are told when it ends.</li>
<li><b>Playground</b>: chat with a base model or your fine-tuned model. Under each reply:
tokens, cost and time. Press <b>Send</b> (Ctrl+Enter); <b>Stop</b> ends a reply early and keeps
what arrived. Chats are saved as you go.
<ul>
<li><i>Compare…</i> sends one message to 2–4 models side by side. In blind mode the answers
are unnamed until you pick the best; your votes can become a preference (DPO) dataset.</li>
<li><i>Evaluate…</i> runs a test set (for instance the validation part of a job) through
one or more models and scores each answer against the expected one. Runs are kept, so you can
look at them after a model is gone and run them again on a newer model.</li>
<li><i>Prompt savings…</i> shows what a fine-tuned model saves: the base model with long
instructions against the fine-tuned model with a short prompt, in tokens, cost per 1,000
requests and time.</li>
<li><i>Add to dataset…</i> turns a conversation, with the reply corrected if needed, into a
new training example.</li>
</ul></li>
</ol>
<p><b>Similarity</b> (in evaluations) is the share of words an answer has in common with the
expected answer (token F1, 0–100 %). It rewards the same facts and wording, not style or
correctness in other words: read the answers too.</p>
<p><b>Try it without an account.</b> The app starts on the <i>Demo</i> connection, a
simulation on this computer: nothing is sent anywhere and nothing costs money.</p>
<p><b>Use your own account.</b> Open <i>Preferences…</i> (Ctrl+,) and add an OpenAI or
Azure OpenAI connection with its API key, then make it active. The status bar always shows which
connection is active and whether it can be reached. Fine-tuned models stop working on the day
their base model retires: the Jobs tab's Models page shows that date.</p>
<p><b>Keyboard shortcuts</b>: Ctrl+Enter send · F1 this help · Ctrl+, preferences ·
Ctrl+Q quit.</p>
"""


def openai_sdk_version() -> str:
    """The installed ``openai`` package version, without importing it."""
    try:
        return importlib.metadata.version("openai")
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def version_rows() -> list[tuple[str, str]]:
    """(component, version) pairs shown in About and in crash reports."""
    return [
        (APP_NAME, __version__),
        ("Qt", qVersion()),
        ("PySide6", PySide6.__version__),
        ("OpenAI Python SDK", openai_sdk_version()),
    ]


class _TextDialog(QDialog):
    def __init__(self, parent: QWidget | None, *, title: str, body_html: str) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.resize(560, 480)
        layout = QVBoxLayout(self)
        self.browser = QTextBrowser()
        self.browser.setOpenExternalLinks(True)
        self.browser.setHtml(body_html)
        layout.addWidget(self.browser, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)


class PrivacyDialog(_TextDialog):
    """What the app sends where; opened from About."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, title="Data privacy", body_html=PRIVACY_HTML)
        self.setObjectName("privacyDialog")


class HelpDialog(_TextDialog):
    """A short getting-started guide (Help → Help, F1)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, title=f"{APP_NAME} Help", body_html=GETTING_STARTED_HTML)
        self.setObjectName("helpDialog")


class AboutDialog(QDialog):
    """Versions, licence and a link to the data-privacy note."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("aboutDialog")
        self.setWindowTitle(f"About {APP_NAME}")
        self.privacy_dialog: PrivacyDialog | None = None
        layout = QVBoxLayout(self)
        layout.setSpacing(12)
        layout.setContentsMargins(24, 20, 24, 16)
        rows = "".join(
            f"<tr><td style='padding-right:16px;color:#666'>{html.escape(name)}</td>"
            f"<td>{html.escape(version)}</td></tr>"
            for name, version in version_rows()
        )
        self.text_label = QLabel(
            f"<h2 style='margin-bottom:2px'>{APP_NAME}</h2>"
            "<p>Fine-tune language models from your own examples, without programming.</p>"
            f"<table>{rows}</table>"
            "<p>Released under the MIT licence.</p>"
            f"<p><a href='{PRIVACY_LINK}'>Data privacy: what is sent where</a></p>"
        )
        self.text_label.setObjectName("aboutText")
        self.text_label.setWordWrap(True)
        self.text_label.setTextFormat(Qt.TextFormat.RichText)
        self.text_label.linkActivated.connect(self._on_link_activated)
        layout.addWidget(self.text_label)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def open_privacy(self) -> PrivacyDialog:
        """Show the data-privacy note (what the link in the text does)."""
        if self.privacy_dialog is None:
            self.privacy_dialog = PrivacyDialog(self)
        self.privacy_dialog.open()
        return self.privacy_dialog

    def _on_link_activated(self, link: str) -> None:
        if link == PRIVACY_LINK:
            self.open_privacy()
