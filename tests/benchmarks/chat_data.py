"""A realistic chat fine-tuning file for the validate benchmarks, and the naive checker.

The file mixes English and German conversations of varied length (1 to 3 turns, replies of
2 to 14 sentences built from random phrases, so whole messages practically never repeat),
with a system prompt in most examples (one of six, as in real datasets where a few prompts
are reused), and a few dozen broken lines of the kinds people produce: cut-off JSON, a
misspelled role, a missing ``messages`` key, a number as content, no reply, a list instead
of an object, an empty line, Latin-1 bytes.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

from desktop.core import tokens

_EN = (
    ("The customer", "Our team", "This update", "The new policy", "Your account", "The report"),
    ("has improved", "will change", "should include", "can reduce", "often affects", "requires"),
    ("the monthly costs", "every shipment", "the login process", "our support hours", "the API"),
    ("by next Friday", "for all regions", "in most cases", "without extra fees", "since 2023"),
)
_DE = (
    ("Der Kunde", "Unser Team", "Dieses Update", "Die neue Regel", "Ihr Konto", "Der Bericht"),
    ("verbessert", "verändert", "enthält jetzt", "senkt deutlich", "betrifft oft", "erfordert"),
    ("die monatlichen Kosten", "jede Lieferung", "die Anmeldung", "unsere Öffnungszeiten"),
    ("bis nächsten Freitag", "in allen Regionen", "in den meisten Fällen", "ohne Aufpreis"),
)
_SYSTEM = (
    "You are a helpful customer support assistant for Acme Corp. Answer politely and "
    "concisely. If you do not know the answer, say so and offer to connect the customer with "
    "a human agent. Never share internal ticket numbers.",
    "Du bist ein hilfreicher Assistent für den Kundenservice der Muster GmbH. Antworte "
    "höflich und knapp. Wenn du etwas nicht weißt, sage es offen und biete an, den Kunden an "
    "einen Mitarbeiter weiterzuleiten.",
    "You are a senior software engineer reviewing code. Explain your reasoning step by step, "
    "point out bugs and security problems first, and include short code examples when useful.",
    "You are a friendly cooking assistant. Suggest recipes with the ingredients the user has, "
    "give quantities in metric units and mention common allergens.",
    "Du bist ein Reiseberater. Empfiehl Ziele, Verbindungen und Unterkünfte, nenne Preise in "
    "Euro und weise auf Einreisebestimmungen hin.",
    "You are a legal information assistant. You give general information, not legal advice, "
    "and you always recommend consulting a qualified lawyer for specific cases.",
)
_BROKEN_KINDS = (
    "cut_off",
    "role_typo",
    "no_messages",
    "content_number",
    "no_reply",
    "list",
    "empty",
    "latin1",
)


def _sentence(rng: random.Random, parts: tuple[tuple[str, ...], ...]) -> str:
    words = [rng.choice(part) for part in parts]
    extra = rng.randint(0, 999)
    return f"{' '.join(words)} ({extra})."


def _text(rng: random.Random, parts: tuple[tuple[str, ...], ...], low: int, high: int) -> str:
    return " ".join(_sentence(rng, parts) for _ in range(rng.randint(low, high)))


def _example(rng: random.Random) -> dict[str, object]:
    parts = _EN if rng.random() < 0.6 else _DE
    messages: list[dict[str, str]] = []
    if rng.random() < 0.85:
        messages.append({"role": "system", "content": rng.choice(_SYSTEM)})
    for _ in range(rng.choice((1, 1, 1, 2, 3))):
        messages.append({"role": "user", "content": _text(rng, parts, 1, 4)})
        messages.append({"role": "assistant", "content": _text(rng, parts, 2, 14)})
    return {"messages": messages}


def _broken(kind: str, example: dict[str, object]) -> bytes:
    line = json.dumps(example, ensure_ascii=False)
    if kind == "cut_off":
        return line[: len(line) // 2].encode()
    if kind == "role_typo":
        return line.replace('"assistant"', '"assistent"', 1).encode()
    if kind == "no_messages":
        return line.replace('"messages"', '"message"', 1).encode()
    if kind == "content_number":
        return json.dumps({"messages": [{"role": "user", "content": 42}]}).encode()
    if kind == "no_reply":
        return json.dumps({"messages": [{"role": "user", "content": "Hallo?"}]}).encode()
    if kind == "list":
        return json.dumps([example]).encode()
    if kind == "empty":
        return b""
    return '{"messages": [{"role": "user", "content": "Grüße"}]}'.encode("latin-1")


def generate_chat_file(path: Path, examples: int, *, broken: int = 40, seed: int = 4) -> list[int]:
    """Write the benchmark file.

    Args:
        path: where to write.
        examples: number of lines.
        broken: how many of them are broken (spread at random).
        seed: random seed (the file is reproducible).

    Returns:
        The 1-based numbers of the broken lines, sorted.
    """
    rng = random.Random(seed)
    broken_lines = sorted(rng.sample(range(1, examples + 1), broken))
    kinds = {line: _BROKEN_KINDS[i % len(_BROKEN_KINDS)] for i, line in enumerate(broken_lines)}
    with path.open("wb") as handle:
        for number in range(1, examples + 1):
            example = _example(rng)
            kind = kinds.get(number)
            if kind is None:
                handle.write(json.dumps(example, ensure_ascii=False).encode())
            else:
                handle.write(_broken(kind, example))
            handle.write(b"\n")
    return broken_lines


_ROLES = ("system", "user", "assistant")


def naive_check(path: Path, encoding_name: str, *, ordinary: bool = False) -> tuple[int, list[int]]:
    """The straightforward single-threaded loop, as in OpenAI's cookbook notebook.

    Read a line, ``json.loads`` it, check its shape, ``encode`` each string with tiktoken.

    Args:
        path: the file.
        encoding_name: the tokenizer.
        ordinary: use ``encode_ordinary`` (skips tiktoken's special-token scan) instead of
            the cookbook's ``encode``.

    Returns:
        (total tokens of the valid examples, sorted numbers of the broken lines).
    """
    encoding = tokens.get_encoding(encoding_name)
    encode = encoding.encode_ordinary if ordinary else encoding.encode
    total = 0
    broken: list[int] = []
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, 1):
            try:
                example = json.loads(raw)
            except ValueError:  # invalid JSON, invalid UTF-8, empty line
                broken.append(number)
                continue
            messages = example.get("messages") if isinstance(example, dict) else None
            if (
                not isinstance(messages, list)
                or not messages
                or not all(
                    isinstance(m, dict)
                    and m.get("role") in _ROLES
                    and isinstance(m.get("content"), str)
                    for m in messages
                )
                or not any(m["role"] == "assistant" for m in messages)
            ):
                broken.append(number)
                continue
            count = 3
            for message in messages:
                count += 3
                for key, value in message.items():
                    if isinstance(value, str):
                        count += len(encode(value))
                    if key == "name":
                        count += 1
            total += count
    return total, broken
