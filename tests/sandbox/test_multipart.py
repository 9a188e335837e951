"""The stdlib-only multipart/form-data parser."""

from __future__ import annotations

import pytest

from desktop.sandbox.multipart import MultipartError, parse_multipart

_TYPE = "multipart/form-data; boundary=XyZ"


def test_reads_fields_and_file_when_body_is_well_formed() -> None:
    body = (
        b"--XyZ\r\n"
        b'Content-Disposition: form-data; name="purpose"\r\n\r\n'
        b"fine-tune\r\n"
        b"--XyZ\r\n"
        b'Content-Disposition: form-data; name="file"; filename="a b.jsonl"\r\n'
        b"Content-Type: application/octet-stream\r\n\r\n"
        b"line one\r\nline two\r\n"
        b"--XyZ--\r\n"
    )

    fields = parse_multipart(body, _TYPE)

    assert fields["purpose"].text() == "fine-tune"
    assert fields["file"].filename == "a b.jsonl"
    assert fields["file"].data == b"line one\r\nline two"


def test_raises_when_closing_boundary_is_missing() -> None:
    body = b'--XyZ\r\nContent-Disposition: form-data; name="a"\r\n\r\nx\r\n'

    with pytest.raises(MultipartError):
        parse_multipart(body, _TYPE)


def test_raises_when_content_type_is_not_multipart() -> None:
    with pytest.raises(MultipartError):
        parse_multipart(b"{}", "application/json")
