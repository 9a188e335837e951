from __future__ import annotations

import random
import threading
from pathlib import Path

import pytest

from desktop.core.datasets_io.document import DatasetDocument, Edit
from desktop.core.datasets_io.line_index import LineIndex
from desktop.core.errors import FileChangedOnDiskError, OperationCancelledError


@pytest.fixture
def doc(tmp_path: Path) -> DatasetDocument:
    path = tmp_path / "data.jsonl"
    path.write_bytes(b"".join(f'{{"n":{i}}}\n'.encode() for i in range(10)))
    return DatasetDocument.open(path)


def all_rows(doc: DatasetDocument) -> list[str]:
    return doc.rows(0, doc.row_count)


def saved_bytes(doc: DatasetDocument) -> bytes:
    return b"".join(doc.iter_chunks())


def test_reads_rows_of_the_file_when_unedited(doc: DatasetDocument) -> None:
    assert doc.row_count == 10
    assert doc.read_row(3) == '{"n":3}'
    assert not doc.is_modified


def test_appends_row_when_example_is_added(doc: DatasetDocument) -> None:
    doc.apply(doc.add_example_op('{"new":1}'))
    assert doc.row_count == 11
    assert doc.read_row(10) == '{"new":1}'
    assert doc.is_modified


def test_inserts_row_before_position_when_at_is_given(doc: DatasetDocument) -> None:
    doc.apply(doc.add_example_op('{"new":1}', at=0))
    assert all_rows(doc)[:2] == ['{"new":1}', '{"n":0}']


def test_copies_row_after_itself_when_duplicated(doc: DatasetDocument) -> None:
    doc.apply(doc.duplicate_example_op(4))
    assert all_rows(doc)[3:7] == ['{"n":3}', '{"n":4}', '{"n":4}', '{"n":5}']


def test_removes_rows_when_deleted(doc: DatasetDocument) -> None:
    doc.apply(doc.delete_examples_op(2, count=3))
    assert [row[5:-1] for row in all_rows(doc)] == ["0", "1", "5", "6", "7", "8", "9"]


def test_replaces_row_when_edited(doc: DatasetDocument) -> None:
    doc.apply(doc.replace_example_op(9, '{"n":"nine"}'))
    assert doc.read_row(9) == '{"n":"nine"}'
    assert doc.row_count == 10


def test_restores_rows_and_clean_state_when_every_edit_is_undone(doc: DatasetDocument) -> None:
    before = all_rows(doc)
    undo = [
        doc.apply(doc.add_example_op('{"a":1}', at=5)),
        doc.apply(doc.delete_examples_op(0, 2)),
        doc.apply(doc.replace_example_op(3, '{"b":2}')),
        doc.apply(doc.duplicate_example_op(7)),
        doc.apply(doc.delete_examples_op(2, 6)),
    ]
    for inverse in reversed(undo):
        doc.apply(inverse)
    assert all_rows(doc) == before
    assert not doc.is_modified


def test_redoes_edit_when_inverse_of_inverse_is_applied(doc: DatasetDocument) -> None:
    op = doc.replace_example_op(1, '{"x":1}')
    inverse = doc.apply(op)
    doc.apply(inverse)
    doc.apply(inverse.inverse())
    assert doc.read_row(1) == '{"x":1}'


def test_refuses_removal_when_rows_no_longer_match(doc: DatasetDocument) -> None:
    stale = doc.delete_examples_op(0)
    doc.apply(doc.add_example_op('{"first":1}', at=0))
    with pytest.raises(ValueError):
        doc.apply(stale)


def test_refuses_text_with_line_breaks_when_adding(doc: DatasetDocument) -> None:
    with pytest.raises(ValueError):
        doc.add_example_op('{"a":\n1}')


def test_raises_index_error_when_row_is_out_of_range(doc: DatasetDocument) -> None:
    with pytest.raises(IndexError):
        doc.read_row(10)
    with pytest.raises(IndexError):
        doc.delete_examples_op(9, count=2)


def test_refuses_index_when_it_is_still_growing(tmp_path: Path) -> None:
    path = tmp_path / "data.jsonl"
    path.write_bytes(b"a\n")
    with LineIndex.open(path) as index, pytest.raises(ValueError):
        DatasetDocument(index)


def test_streams_file_bytes_unchanged_when_unedited(tmp_path: Path) -> None:
    path = tmp_path / "data.jsonl"
    path.write_bytes(b'{"a":1}\r\n{"b":2}\n')
    document = DatasetDocument.open(path)
    assert saved_bytes(document) == b'{"a":1}\r\n{"b":2}\n'


def test_ends_last_row_with_newline_when_file_lacked_one(tmp_path: Path) -> None:
    path = tmp_path / "data.jsonl"
    path.write_bytes(b'{"a":1}\n{"b":2}')
    document = DatasetDocument.open(path)
    document.apply(document.add_example_op('{"c":3}'))
    assert saved_bytes(document) == b'{"a":1}\n{"b":2}\n{"c":3}\n'


def test_streams_edits_in_order_when_saving(doc: DatasetDocument) -> None:
    doc.apply(doc.delete_examples_op(1, 8))
    doc.apply(doc.add_example_op('{"é":1}', at=1))
    assert saved_bytes(doc) == '{"n":0}\n{"é":1}\n{"n":9}\n'.encode()


def test_refuses_to_stream_when_file_changed_on_disk(doc: DatasetDocument) -> None:
    doc.path.write_bytes(b"replaced\n")
    assert doc.file_changed()
    with pytest.raises(FileChangedOnDiskError):
        saved_bytes(doc)


def test_stops_streaming_when_cancelled(doc: DatasetDocument) -> None:
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(OperationCancelledError):
        b"".join(doc.iter_chunks(cancel=cancel))


def test_reports_rows_saved_when_streaming(doc: DatasetDocument) -> None:
    doc.apply(doc.add_example_op("{}", at=5))
    seen: list[tuple[int, int]] = []
    b"".join(doc.iter_chunks(progress=lambda d, t: seen.append((d, t))))
    assert seen[-1] == (11, 11)


def test_matches_a_plain_list_when_many_random_edits_are_made_and_undone(
    doc: DatasetDocument,
) -> None:
    rng = random.Random(7)
    model = all_rows(doc)
    history: list[tuple[Edit, list[str]]] = []
    for step in range(400):
        before = list(model)
        choice = rng.randrange(4) if model else 0
        if choice == 0:
            at = rng.randint(0, len(model))
            op: Edit = doc.add_example_op(f'{{"s":{step}}}', at=at)
            model.insert(at, f'{{"s":{step}}}')
        elif choice == 1:
            row = rng.randrange(len(model))
            op = doc.duplicate_example_op(row)
            model.insert(row + 1, model[row])
        elif choice == 2:
            row = rng.randrange(len(model))
            count = rng.randint(1, min(3, len(model) - row))
            op = doc.delete_examples_op(row, count)
            del model[row : row + count]
        else:
            row = rng.randrange(len(model))
            op = doc.replace_example_op(row, f'{{"r":{step}}}')
            model[row] = f'{{"r":{step}}}'
        history.append((doc.apply(op), before))
        assert all_rows(doc) == model
    for inverse, before in reversed(history):
        doc.apply(inverse)
        assert all_rows(doc) == before
    assert not doc.is_modified


def test_starts_with_no_rows_when_file_is_empty(tmp_path: Path) -> None:
    path = tmp_path / "new.jsonl"
    path.write_bytes(b"")
    document = DatasetDocument.open(path)
    assert document.row_count == 0
    document.apply(document.add_example_op("{}"))
    assert saved_bytes(document) == b"{}\n"
