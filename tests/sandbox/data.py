"""Training data and small helpers for the emulator's tests."""

from __future__ import annotations

import json
from typing import Any

import openai

QUESTIONS = [
    ("How do I reset my password?", "Open Settings, choose Account, then Reset password."),
    ("What are your opening hours?", "We are open from 9 to 17, Monday to Friday."),
    ("Can I return a damaged parcel?", "Yes: send it back within 30 days for a full refund."),
    ("Do you ship to Norway?", "We ship to every country in the EU and to Norway."),
    ("How much does express delivery cost?", "Express delivery costs 9 euros."),
    ("Where is my invoice?", "Invoices are in your account under Orders."),
    ("Can I change my delivery address?", "Yes, until the parcel leaves our warehouse."),
    ("Do you offer gift cards?", "Gift cards from 10 to 200 euros are available."),
    ("How do I contact support?", "Write to help@example.com and we answer within a day."),
    ("Is there a student discount?", "Students get 15 percent off with a valid card."),
    ("Which payment methods do you accept?", "Cards, bank transfer and PayPal."),
    ("Can I cancel my order?", "Orders can be cancelled within one hour."),
]


def chat_line(question: str, answer: str) -> dict[str, Any]:
    """One chat training example."""
    return {
        "messages": [
            {"role": "system", "content": "You are the shop's helpful assistant."},
            {"role": "user", "content": question},
            {"role": "assistant", "content": answer},
        ]
    }


def jsonl(records: list[Any]) -> bytes:
    """Records as JSON Lines bytes."""
    return ("\n".join(json.dumps(r) for r in records) + "\n").encode()


def training_bytes(count: int = len(QUESTIONS)) -> bytes:
    """A valid chat training file with ``count`` examples (at most 12)."""
    return jsonl([chat_line(q, a) for q, a in QUESTIONS[:count]])


def upload(client: openai.OpenAI, data: bytes, name: str = "train.jsonl") -> str:
    """Upload ``data`` for fine-tuning; returns the file id."""
    return client.files.create(file=(name, data), purpose="fine-tune").id


def start_job(client: openai.OpenAI, data: bytes | None = None, **options: Any) -> str:
    """Upload training data and create a job on gpt-4o-mini; returns the job id."""
    file_id = upload(client, training_bytes() if data is None else data)
    return client.fine_tuning.jobs.create(
        model="gpt-4o-mini-2024-07-18", training_file=file_id, **options
    ).id


# Simulated seconds: enough for any fast job to finish (~3 s), or to reach "running" only.
FINISH = 600.0
TO_RUNNING = 1.0
