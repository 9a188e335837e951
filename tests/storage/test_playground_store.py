"""The Playground's record survives restarts, searches and forgets only what it is told to."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from desktop.core.playground.evaluation import EvalExample, EvalResult, EvalRun, EvalRunStatus
from desktop.core.playground.preferences import Candidate, PreferenceVote
from desktop.core.playground.presets import GenerationSettings, Preset, PresetError
from desktop.core.playground.sessions import ChatSession, ChatTurn, TurnStatus, add_turn
from desktop.core.types import ChatMessage, Usage
from desktop.storage.database import Database
from desktop.storage.playground_store import PlaygroundStore
from tests.helpers.clock import FakeClock


@pytest.fixture
def store(db: Database) -> PlaygroundStore:
    return PlaygroundStore(db, clock=FakeClock())


def reopened(db: Database, db_path: Path) -> PlaygroundStore:
    db.close()
    return PlaygroundStore(Database(db_path), clock=FakeClock())


def chat(session_id: str, title: str, text: str = "hello", updated: float = 10.0) -> ChatSession:
    return ChatSession(
        id=session_id,
        title=title,
        model="gpt-4o-mini",
        system_prompt="Be brief.",
        settings=GenerationSettings(temperature=0.3),
        turns=(ChatTurn("user", text),),
        created_at=1.0,
        updated_at=updated,
    )


def test_session_is_read_back_after_reopening_when_saved_after_a_stopped_reply(
    store: PlaygroundStore, db: Database, db_path: Path
) -> None:
    session = add_turn(
        chat("s1", "Greeting"),
        ChatTurn("assistant", "Hel", model="m", usage=Usage(9, 1), status=TurnStatus.STOPPED),
        now=20,
    )
    store.save_session(session)
    assert reopened(db, db_path).session("s1") == session


def test_saving_again_replaces_the_session_when_a_turn_was_added(store: PlaygroundStore) -> None:
    first = chat("s1", "t")
    store.save_session(first)
    second = add_turn(first, ChatTurn("assistant", "hi", model="m"), now=30)
    store.save_session(second)
    assert store.session("s1") == second
    assert len(store.list_sessions()) == 1


def test_list_is_most_recent_first_when_several_sessions_exist(store: PlaygroundStore) -> None:
    store.save_session(chat("old", "Old", updated=5))
    store.save_session(chat("new", "New", updated=50))
    assert [s.id for s in store.list_sessions()] == ["new", "old"]


def test_search_finds_sessions_by_message_text_in_any_case_when_given(
    store: PlaygroundStore,
) -> None:
    store.save_session(chat("a", "Billing", text="Where is my INVOICE?"))
    store.save_session(chat("b", "Shipping", text="Track parcel"))
    assert [s.id for s in store.list_sessions(search="invoice")] == ["a"]


def test_search_treats_percent_literally_when_the_text_contains_it(
    store: PlaygroundStore,
) -> None:
    store.save_session(chat("a", "Discount 50% off"))
    store.save_session(chat("b", "Discount 50 off"))
    assert [s.id for s in store.list_sessions(search="50%")] == ["a"]


def test_rename_changes_the_title_when_the_session_exists(store: PlaygroundStore) -> None:
    store.save_session(chat("s1", "Old"))
    assert store.rename_session("s1", "  New   name ")
    assert store.session("s1").title == "New name"  # type: ignore[union-attr]
    assert store.list_sessions()[0].title == "New name"


def test_rename_reports_false_when_the_session_is_missing(store: PlaygroundStore) -> None:
    assert not store.rename_session("nope", "x")


def test_delete_forgets_only_that_session_when_several_exist(store: PlaygroundStore) -> None:
    store.save_session(chat("a", "A"))
    store.save_session(chat("b", "B"))
    assert store.delete_session("a")
    assert [s.id for s in store.list_sessions()] == ["b"]


def test_damaged_session_is_skipped_with_a_warning_when_read(
    store: PlaygroundStore, db: Database
) -> None:
    store.save_session(chat("s1", "t"))
    db.execute("UPDATE playground_sessions SET data = '{\"id\": 1}'")
    assert store.session("s1") is None


def test_preset_replaces_one_of_the_same_name_in_any_case_when_saved(
    store: PlaygroundStore, db: Database, db_path: Path
) -> None:
    store.save_preset(Preset("Precise", GenerationSettings(temperature=0.0)))
    store.save_preset(Preset("precise ", GenerationSettings(temperature=0.1, stop=("END",))))
    store.save_preset(Preset("Creative", GenerationSettings(temperature=1.2)))
    presets = reopened(db, db_path).presets()
    assert [(p.name, p.settings.temperature) for p in presets] == [
        ("Creative", 1.2),
        ("precise", 0.1),
    ]


def test_preset_is_refused_when_a_setting_is_out_of_range(store: PlaygroundStore) -> None:
    with pytest.raises(PresetError):
        store.save_preset(Preset("Hot", GenerationSettings(temperature=5)))
    assert store.presets() == []


def test_votes_come_back_oldest_first_after_reopening_when_saved(
    store: PlaygroundStore, db: Database, db_path: Path
) -> None:
    prompt = (ChatMessage("user", "q"),)
    pair = (Candidate("a", "x"), Candidate("b", "y"))
    later = PreferenceVote("v2", prompt, pair, 0, created_at=20.0, seed=4)
    earlier = PreferenceVote("v1", prompt, pair, 1, created_at=10.0)
    store.save_vote(later)
    store.save_vote(earlier)
    assert reopened(db, db_path).votes() == [earlier, later]


def run_with(run_id: str = "r1") -> EvalRun:
    return EvalRun(
        id=run_id,
        name="Validation split",
        created_at=100.0,
        models=("base", "ft:base:acme::1"),
        settings=GenerationSettings(temperature=0.0, max_tokens=200),
        concurrency=8,
        source="support-valid.jsonl",
        examples=tuple(EvalExample(i, (ChatMessage("user", f"q{i}"),), f"r{i}") for i in range(3)),
    )


def result(index: int, model: str, error: str = "") -> EvalResult:
    return EvalResult(
        index, model, f"answer {index}", Usage(5, 2), cost=Decimal("0.001"), error=error
    )


def test_run_keeps_every_saved_result_after_reopening_when_interrupted(
    store: PlaygroundStore, db: Database, db_path: Path
) -> None:
    store.start_run(run_with())
    store.save_result("r1", result(0, "base"))
    store.save_result("r1", result(1, "ft:base:acme::1", error="The model is gone."))
    run = reopened(db, db_path).run("r1")
    assert run is not None
    assert run.status is EvalRunStatus.RUNNING
    assert run.settings == GenerationSettings(temperature=0.0, max_tokens=200)
    assert [e.reference for e in run.examples] == ["r0", "r1", "r2"]
    assert run.results == (result(0, "base"), result(1, "ft:base:acme::1", "The model is gone."))


def test_saving_a_result_again_replaces_it_when_the_pair_was_answered(
    store: PlaygroundStore,
) -> None:
    store.start_run(run_with())
    store.save_result("r1", result(0, "base", error="timeout"))
    store.save_result("r1", result(0, "base"))
    assert store.run("r1").results == (result(0, "base"),)  # type: ignore[union-attr]


def test_run_list_counts_examples_and_results_when_runs_exist(store: PlaygroundStore) -> None:
    store.start_run(run_with())
    store.save_results("r1", [result(0, "base"), result(1, "base")])
    assert store.finish_run("r1", EvalRunStatus.FINISHED)
    (summary,) = store.list_runs()
    assert (summary.examples, summary.results, summary.status) == (3, 2, "finished")
    assert summary.models == ("base", "ft:base:acme::1")


def test_run_search_matches_a_model_when_given_part_of_its_id(store: PlaygroundStore) -> None:
    store.start_run(run_with("r1"))
    assert [r.id for r in store.list_runs(search="ACME")] == ["r1"]
    assert store.list_runs(search="nothing") == []


def test_deleting_a_run_removes_its_examples_and_results_when_asked(
    store: PlaygroundStore, db: Database
) -> None:
    store.start_run(run_with())
    store.save_result("r1", result(0, "base"))
    assert store.rename_run("r1", "Before tuning")
    assert store.delete_run("r1")
    assert store.run("r1") is None
    assert db.query("SELECT COUNT(*) FROM evaluation_results")[0][0] == 0
    assert db.query("SELECT COUNT(*) FROM evaluation_examples")[0][0] == 0


def test_results_stay_readable_as_json_when_the_model_is_gone(
    store: PlaygroundStore, db: Database
) -> None:
    store.start_run(run_with())
    store.save_result("r1", result(2, "base"))
    (row,) = db.query("SELECT data FROM evaluation_results")
    assert json.loads(row["data"])["answer"] == "answer 2"
