"""The Playground's local record: chat sessions, presets, blind votes and evaluation runs.

A session is saved whole after every turn, so a crash loses at most the reply being streamed
(a stopped or finished reply is saved as it ends). An evaluation run is saved when it starts
(settings and examples) and each result as it arrives, in its own statement: a crash keeps
every answer received. Runs keep the answers' text, so they stay readable after a model is
gone. Records are JSON (``desktop.core.playground.serialize``); a damaged one is skipped with a
warning in the log rather than stopping the app.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from desktop.core.playground.evaluation import EvalResult, EvalRun, EvalRunStatus
from desktop.core.playground.preferences import PreferenceVote
from desktop.core.playground.presets import Preset, validate_preset
from desktop.core.playground.serialize import (
    PlaygroundRecordError,
    example_from_dict,
    example_to_dict,
    result_from_dict,
    result_to_dict,
    session_from_dict,
    session_to_dict,
    settings_from_dict,
    settings_to_dict,
    vote_from_dict,
    vote_to_dict,
)
from desktop.core.playground.sessions import ChatSession
from desktop.storage.database import Database

__all__ = ["EvalRunSummary", "PlaygroundStore", "SessionSummary"]

_log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class SessionSummary:
    """A line of the session list (the whole session is read with ``session(id)``)."""

    id: str
    title: str
    model: str
    created_at: float
    updated_at: float


@dataclass(frozen=True, slots=True)
class EvalRunSummary:
    """A line of the evaluation run list."""

    id: str
    name: str
    created_at: float
    status: EvalRunStatus
    models: tuple[str, ...]
    source: str
    examples: int
    results: int


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _like_pattern(text: str) -> str:
    escaped = text.casefold().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _search_text(session: ChatSession) -> str:
    parts = [session.title, session.model, session.system_prompt]
    parts += [turn.content for turn in session.turns]
    return "\n".join(parts).casefold()


class PlaygroundStore:
    """Saved Playground work. Nothing here talks to a connection.

    Same threading rule as :class:`~desktop.storage.database.Database`: any thread, one call
    at a time. Every method may raise :class:`~desktop.core.errors.DatabaseError`.
    """

    def __init__(self, db: Database, *, clock: Callable[[], float] = time.time) -> None:
        """Use the Playground tables of ``db`` (created by its migrations).

        Args:
            db: the app's database.
            clock: the current Unix time (tests pass their own).
        """
        self._db = db
        self._clock = clock

    # Sessions --------------------------------------------------------------------------------

    def save_session(self, session: ChatSession) -> None:
        """Save a session whole, replacing an earlier save of it (call after every turn).

        Args:
            session: the session as it stands.
        """
        self._db.execute(
            "INSERT INTO playground_sessions "
            "(id, title, model, search_text, data, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (id) DO UPDATE SET title = excluded.title, model = excluded.model, "
            "search_text = excluded.search_text, data = excluded.data, "
            "updated_at = excluded.updated_at",
            (
                session.id,
                session.title,
                session.model,
                _search_text(session),
                _dumps(session_to_dict(session)),
                session.created_at or self._clock(),
                session.updated_at or self._clock(),
            ),
        )

    def session(self, session_id: str) -> ChatSession | None:
        """A saved session, or None when it does not exist (or its record is damaged)."""
        rows = self._db.query("SELECT data FROM playground_sessions WHERE id = ?", (session_id,))
        if not rows:
            return None
        try:
            session = session_from_dict(json.loads(rows[0]["data"]))
        except (ValueError, PlaygroundRecordError) as exc:
            _log.warning("skipping damaged Playground session %s: %s", session_id, exc)
            return None
        return session

    def list_sessions(self, *, search: str = "", limit: int = 500) -> list[SessionSummary]:
        """Saved sessions, most recently changed first.

        Args:
            search: keep sessions whose title, model, system prompt or any message contains
                this text (any case); empty keeps all.
            limit: the most to return.

        Returns:
            The sessions' summaries.
        """
        sql = "SELECT id, title, model, created_at, updated_at FROM playground_sessions"
        params: list[object] = []
        if search.strip():
            sql += " WHERE search_text LIKE ? ESCAPE '\\'"
            params.append(_like_pattern(search.strip()))
        sql += " ORDER BY updated_at DESC, id LIMIT ?"
        params.append(limit)
        return [
            SessionSummary(
                r["id"], r["title"], r["model"], float(r["created_at"]), float(r["updated_at"])
            )
            for r in self._db.query(sql, params)
        ]

    def rename_session(self, session_id: str, title: str) -> bool:
        """Give a session a new title.

        Returns:
            Whether the session exists.

        Raises:
            ValueError: the title is blank.
        """
        title = " ".join(title.split())
        if not title:
            raise ValueError("a session title must not be blank")
        session = self.session(session_id)
        if session is None:
            return False
        self.save_session(replace(session, title=title))
        return True

    def delete_session(self, session_id: str) -> bool:
        """Forget a session. Returns whether it existed."""
        return self._db.execute("DELETE FROM playground_sessions WHERE id = ?", (session_id,)) > 0

    # Presets ---------------------------------------------------------------------------------

    def save_preset(self, preset: Preset) -> Preset:
        """Save a preset, replacing one of the same name (any case).

        Returns:
            The preset as saved (its name stripped).

        Raises:
            PresetError: the name is blank or a setting out of range.
        """
        preset = validate_preset(preset)
        data = {
            "settings": settings_to_dict(preset.settings),
            "system_prompt": preset.system_prompt,
        }
        with self._db.transaction():
            self._db.execute("DELETE FROM playground_presets WHERE name = ?", (preset.name,))
            self._db.execute(
                "INSERT INTO playground_presets (name, data, updated_at) VALUES (?, ?, ?)",
                (preset.name, _dumps(data), self._clock()),
            )
        return preset

    def presets(self) -> list[Preset]:
        """Every saved preset, by name (any case)."""
        found: list[Preset] = []
        for row in self._db.query("SELECT name, data FROM playground_presets ORDER BY name"):
            try:
                data = json.loads(row["data"])
                settings = settings_from_dict(data["settings"])
                found.append(Preset(row["name"], settings, str(data.get("system_prompt", ""))))
            except (ValueError, KeyError, TypeError, PlaygroundRecordError) as exc:
                _log.warning("skipping damaged preset %r: %s", row["name"], exc)
        return found

    def delete_preset(self, name: str) -> bool:
        """Forget a preset (name in any case). Returns whether it existed."""
        return self._db.execute("DELETE FROM playground_presets WHERE name = ?", (name,)) > 0

    # Votes -----------------------------------------------------------------------------------

    def save_vote(self, vote: PreferenceVote) -> None:
        """Save a blind-compare vote (replacing an earlier save with the same id)."""
        self._db.execute(
            "INSERT OR REPLACE INTO playground_votes (id, created_at, data) VALUES (?, ?, ?)",
            (vote.id, vote.created_at, _dumps(vote_to_dict(vote))),
        )

    def votes(self) -> list[PreferenceVote]:
        """Every saved vote, oldest first (the order of an exported DPO file)."""
        found: list[PreferenceVote] = []
        for row in self._db.query("SELECT id, data FROM playground_votes ORDER BY created_at, id"):
            try:
                found.append(vote_from_dict(json.loads(row["data"])))
            except (ValueError, PlaygroundRecordError) as exc:
                _log.warning("skipping damaged vote %s: %s", row["id"], exc)
        return found

    def delete_vote(self, vote_id: str) -> bool:
        """Forget a vote. Returns whether it existed."""
        return self._db.execute("DELETE FROM playground_votes WHERE id = ?", (vote_id,)) > 0

    # Evaluation runs -------------------------------------------------------------------------

    def start_run(self, run: EvalRun) -> None:
        """Save a new run: its settings, its examples and any results it already has.

        Args:
            run: the run (usually with no results yet).
        """
        with self._db.transaction():
            self._db.execute(
                "INSERT INTO evaluation_runs "
                "(id, name, created_at, status, models, settings, concurrency, source) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    run.id,
                    run.name,
                    run.created_at,
                    str(run.status),
                    _dumps(list(run.models)),
                    _dumps(settings_to_dict(run.settings)),
                    run.concurrency,
                    run.source,
                ),
            )
            for example in run.examples:
                self._db.execute(
                    "INSERT INTO evaluation_examples (run_id, example_index, data) "
                    "VALUES (?, ?, ?)",
                    (run.id, example.index, _dumps(example_to_dict(example))),
                )
            self.save_results(run.id, run.results)

    def save_result(self, run_id: str, result: EvalResult) -> None:
        """Save one answer as it arrives (replacing an earlier answer for the same pair)."""
        self.save_results(run_id, (result,))

    def save_results(self, run_id: str, results: Sequence[EvalResult]) -> None:
        """Save several answers in one transaction (replacing earlier ones for the same pairs)."""
        with self._db.transaction():
            for result in results:
                self._db.execute(
                    "INSERT OR REPLACE INTO evaluation_results "
                    "(run_id, example_index, model, data) VALUES (?, ?, ?, ?)",
                    (run_id, result.example_index, result.model, _dumps(result_to_dict(result))),
                )

    def finish_run(self, run_id: str, status: EvalRunStatus) -> bool:
        """Record how a run ended (finished or cancelled). Returns whether the run exists."""
        return (
            self._db.execute(
                "UPDATE evaluation_runs SET status = ? WHERE id = ?", (str(status), run_id)
            )
            > 0
        )

    def rename_run(self, run_id: str, name: str) -> bool:
        """Give a run a new name. Returns whether it exists.

        Raises:
            ValueError: the name is blank.
        """
        name = " ".join(name.split())
        if not name:
            raise ValueError("a run's name must not be blank")
        return (
            self._db.execute("UPDATE evaluation_runs SET name = ? WHERE id = ?", (name, run_id)) > 0
        )

    def delete_run(self, run_id: str) -> bool:
        """Forget a run with its examples and results. Returns whether it existed."""
        return self._db.execute("DELETE FROM evaluation_runs WHERE id = ?", (run_id,)) > 0

    def list_runs(self, *, search: str = "") -> list[EvalRunSummary]:
        """Saved runs, newest first.

        Args:
            search: keep runs whose name, source or models contain this text (any case).

        Returns:
            Their summaries with example and result counts.
        """
        sql = (
            "SELECT r.*, "
            "(SELECT COUNT(*) FROM evaluation_examples e WHERE e.run_id = r.id) AS n_examples, "
            "(SELECT COUNT(*) FROM evaluation_results x WHERE x.run_id = r.id) AS n_results "
            "FROM evaluation_runs r"
        )
        params: list[object] = []
        if search.strip():
            sql += " WHERE lower(r.name || ' ' || r.source || ' ' || r.models) LIKE ? ESCAPE '\\'"
            params.append(_like_pattern(search.strip()))
        sql += " ORDER BY r.created_at DESC, r.id"
        summaries: list[EvalRunSummary] = []
        for row in self._db.query(sql, params):
            try:
                models = tuple(str(m) for m in json.loads(row["models"]))
                status = EvalRunStatus(row["status"])
            except ValueError as exc:
                _log.warning("skipping damaged evaluation run %s: %s", row["id"], exc)
                continue
            summaries.append(
                EvalRunSummary(
                    id=row["id"],
                    name=row["name"],
                    created_at=float(row["created_at"]),
                    status=status,
                    models=models,
                    source=row["source"],
                    examples=int(row["n_examples"]),
                    results=int(row["n_results"]),
                )
            )
        return summaries

    def run(self, run_id: str) -> EvalRun | None:
        """A saved run with its examples and every saved result, or None.

        Damaged examples or results are skipped (logged); the rest of the run is returned.
        """
        rows = self._db.query("SELECT * FROM evaluation_runs WHERE id = ?", (run_id,))
        if not rows:
            return None
        row = rows[0]
        try:
            models = tuple(str(m) for m in json.loads(row["models"]))
            settings = settings_from_dict(json.loads(row["settings"]))
            status = EvalRunStatus(row["status"])
        except (ValueError, PlaygroundRecordError) as exc:
            _log.warning("skipping damaged evaluation run %s: %s", run_id, exc)
            return None
        examples = []
        for item in self._db.query(
            "SELECT data FROM evaluation_examples WHERE run_id = ? ORDER BY example_index",
            (run_id,),
        ):
            try:
                examples.append(example_from_dict(json.loads(item["data"])))
            except (ValueError, PlaygroundRecordError) as exc:
                _log.warning("skipping a damaged example of run %s: %s", run_id, exc)
        results = []
        for item in self._db.query(
            "SELECT data FROM evaluation_results WHERE run_id = ? ORDER BY example_index, model",
            (run_id,),
        ):
            try:
                results.append(result_from_dict(json.loads(item["data"])))
            except (ValueError, PlaygroundRecordError) as exc:
                _log.warning("skipping a damaged result of run %s: %s", run_id, exc)
        return EvalRun(
            id=row["id"],
            name=row["name"],
            created_at=float(row["created_at"]),
            models=models,
            settings=settings,
            concurrency=int(row["concurrency"]),
            source=row["source"],
            examples=tuple(examples),
            results=tuple(results),
            status=status,
        )
