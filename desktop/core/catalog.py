"""The catalog of fine-tunable models: limits, methods, shutdown dates and estimated prices.

The facts live in ``resources/models.json`` (never in code) so they can be updated without a
release of the logic. This module parses and validates that file and answers questions about a
model id, including fine-tuned ids (``ft:<base>:...``, Azure's ``<base>.ft-<hex>``) and aliases
(``gpt-4o-mini`` → ``gpt-4o-mini-2024-07-18``).

Each entry of ``models.json`` holds (prices in the file's currency per 1M tokens, null = unknown):

- ``id``, ``family``, ``aliases``, ``encoding``, ``data_format``, ``methods``, ``shutdown_date``;
- ``training_context_tokens``: the longest training example;
- ``context_tokens`` (optional): the base model's chat context window, prompt and reply;
- ``pricing``: ``training`` and the ``input``/``output`` prices of models fine-tuned from it;
- ``base_pricing`` (optional): ``input``, ``cached_input`` and ``output`` prices of the base
  model itself;
- ``source``, ``as_of`` (the day the facts were collected) and ``notes`` (where each figure came
  from, and which ones are unverified).

The optional fields were added later: files without them still load, with those facts unknown.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Literal, TypeVar, cast

from desktop.core.errors import FinetuneError
from desktop.core.types import FineTuneMethod, ModelInfo

__all__ = [
    "BasePricing",
    "CatalogError",
    "CatalogModel",
    "DataFormat",
    "ModelCatalog",
    "ModelPricing",
    "base_model_id",
    "effective_shutdown_date",
    "load_catalog",
    "read_catalog",
]

DataFormat = Literal["chat", "prompt_completion"]

_T = TypeVar("_T")

_ENCODINGS = frozenset({"o200k_base", "cl100k_base"})
_METHODS: frozenset[str] = frozenset({"supervised", "dpo"})
_DATA_FORMATS: frozenset[str] = frozenset({"chat", "prompt_completion"})


class CatalogError(FinetuneError):
    """The model catalog file is malformed (a broken installation or a bad edit)."""

    default_user_message = (
        "The app's list of models is damaged, so prices and limits are unavailable. "
        "Reinstall Finetune Studio."
    )


@dataclass(frozen=True, slots=True)
class ModelPricing:
    """Estimated USD prices per 1M tokens; None where the price is not known."""

    training: Decimal | None = None
    input: Decimal | None = None
    output: Decimal | None = None


@dataclass(frozen=True, slots=True)
class BasePricing:
    """Estimated USD prices per 1M tokens for using the base model itself; None when unknown."""

    input: Decimal | None = None
    cached_input: Decimal | None = None
    output: Decimal | None = None


@dataclass(frozen=True, slots=True)
class CatalogModel:
    """One fine-tunable model snapshot and what is known about it."""

    id: str
    family: str
    encoding: str
    data_format: DataFormat
    training_context_tokens: int | None
    pricing: ModelPricing
    methods: tuple[FineTuneMethod, ...]
    shutdown_date: dt.date | None
    source: str
    as_of: dt.date
    aliases: tuple[str, ...] = ()
    notes: str = ""
    base_pricing: BasePricing = field(default_factory=BasePricing)
    context_tokens: int | None = None

    def supports(self, method: str) -> bool:
        """Whether jobs with this training method (``"supervised"``, ``"dpo"``) are allowed."""
        return method in self.methods


@dataclass(frozen=True, slots=True)
class ModelCatalog:
    """All fine-tunable models, in file order. Immutable; safe to share between threads."""

    models: tuple[CatalogModel, ...]
    as_of: dt.date
    currency: str
    note: str

    @property
    def fine_tunable_ids(self) -> tuple[str, ...]:
        """The snapshot ids one can start a job from, in catalog order."""
        return tuple(model.id for model in self.models)

    def get(self, model_id: str) -> CatalogModel | None:
        """The catalog entry for a model id, alias or fine-tuned model, or None.

        Args:
            model_id: e.g. ``"gpt-4o-mini-2024-07-18"``, ``"gpt-4o-mini"``,
                ``"ft:gpt-4o-mini-2024-07-18:org:suffix:abc123"`` or ``"ft:gpt-4o-mini:org::x"``.

        Returns:
            The entry of the snapshot (a fine-tuned model resolves to its base), else None.
        """
        wanted = base_model_id(model_id).lower()
        for model in self.models:
            if model.id.lower() == wanted:
                return model
        for model in self.models:
            if wanted in (alias.lower() for alias in model.aliases):
                return model
        return None

    def is_fine_tunable(self, model_id: str) -> bool:
        """Whether a job can start from this model (fine-tuned models continue from their base)."""
        return self.get(model_id) is not None


def base_model_id(model_id: str) -> str:
    """The base model of a fine-tuned model id, or the id itself.

    Args:
        model_id: ``ft:<base>:<org>:<suffix>:<id>`` (optionally ``:ckpt-step-N``),
            Azure's ``<base>.ft-<hex>``, or a plain model id.

    Returns:
        The base model id, unchanged for plain ids.
    """
    text = model_id.strip()
    if text.startswith("ft:"):
        parts = text.split(":")
        return parts[1] if len(parts) > 1 and parts[1] else text
    if ".ft-" in text:
        return text.split(".ft-", 1)[0]
    return text


def effective_shutdown_date(model: ModelInfo, catalog: ModelCatalog) -> dt.date | None:
    """The day a model stops serving: the connection's own date wins over the catalog's.

    Args:
        model: the model as the connection listed it.
        catalog: the app's catalog (used for fine-tuned models through their base).

    Returns:
        The shutdown date, or None when neither source knows one.
    """
    if model.shutdown_date is not None:
        return model.shutdown_date
    entry = catalog.get(model.id)
    return entry.shutdown_date if entry is not None else None


def read_catalog(path: Path) -> ModelCatalog:
    """Read and validate a catalog file (``resources/models.json``).

    Args:
        path: the JSON file.

    Returns:
        The catalog.

    Raises:
        CatalogError: the file is missing, unreadable or malformed.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CatalogError(f"cannot read model catalog {path}: {exc}") from exc
    return load_catalog(text)


def load_catalog(text: str) -> ModelCatalog:
    """Parse and validate the catalog's JSON text.

    Args:
        text: the contents of ``models.json``.

    Returns:
        The catalog.

    Raises:
        CatalogError: the JSON is malformed or an entry is invalid (the message names it).
    """
    try:
        raw = json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as exc:
        raise CatalogError(f"model catalog is not valid JSON: {exc}") from exc
    if not isinstance(raw, dict):
        raise CatalogError("model catalog must be a JSON object")
    top = _Fields(raw, "model catalog")
    entries = top.required("models", list)
    models: list[CatalogModel] = []
    seen: set[str] = set()
    for index, entry in enumerate(entries):
        model = _parse_model(entry, index)
        for name in (model.id, *model.aliases):
            if name.lower() in seen:
                raise CatalogError(f"model catalog lists {name!r} twice (entry {index})")
            seen.add(name.lower())
        models.append(model)
    return ModelCatalog(
        models=tuple(models),
        as_of=top.date("as_of"),
        currency=top.required("currency", str),
        note=top.optional("note", str) or "",
    )


def _parse_model(entry: object, index: int) -> CatalogModel:
    if not isinstance(entry, dict):
        raise CatalogError(f"model catalog entry {index} must be a JSON object")
    model_id = entry.get("id")
    where = (
        f"model catalog entry {index} ({model_id})" if model_id else f"model catalog entry {index}"
    )
    fields = _Fields(entry, where)
    encoding = fields.required("encoding", str)
    if encoding not in _ENCODINGS:
        raise fields.fail("encoding", f"must be one of {sorted(_ENCODINGS)}, not {encoding!r}")
    data_format = fields.optional("data_format", str) or "chat"
    if data_format not in _DATA_FORMATS:
        raise fields.fail("data_format", f"must be one of {sorted(_DATA_FORMATS)}")
    methods = fields.strings("methods")
    if not methods or not set(methods) <= _METHODS:
        raise fields.fail("methods", f"must list one or more of {sorted(_METHODS)}")
    context = fields.positive_int("training_context_tokens")
    chat_context = fields.positive_int("context_tokens")
    source = fields.required("source", str)
    if not source.startswith(("https://", "http://")):
        raise fields.fail("source", "must be a URL")
    prices = _Fields(fields.required("pricing", dict), f"{where} pricing")
    base_prices = _Fields(fields.optional("base_pricing", dict) or {}, f"{where} base_pricing")
    return CatalogModel(
        id=fields.required("id", str),
        family=fields.required("family", str),
        encoding=encoding,
        data_format=cast(DataFormat, data_format),
        training_context_tokens=context,
        pricing=ModelPricing(
            training=prices.price("training"),
            input=prices.price("input"),
            output=prices.price("output"),
        ),
        methods=cast(tuple[FineTuneMethod, ...], methods),
        shutdown_date=fields.optional_date("shutdown_date"),
        source=source,
        as_of=fields.date("as_of"),
        aliases=fields.strings("aliases"),
        notes=fields.optional("notes", str) or "",
        base_pricing=BasePricing(
            input=base_prices.price("input"),
            cached_input=base_prices.price("cached_input"),
            output=base_prices.price("output"),
        ),
        context_tokens=chat_context,
    )


class _Fields:
    """Typed access to one JSON object, raising CatalogError that names where it is."""

    def __init__(self, raw: dict[str, object], where: str) -> None:
        self._raw = raw
        self._where = where

    def fail(self, key: str, problem: str) -> CatalogError:
        return CatalogError(f"{self._where}: field {key!r} {problem}")

    def required(self, key: str, kind: type[_T]) -> _T:
        if key not in self._raw:
            raise self.fail(key, "is missing")
        value = self.optional(key, kind)
        if value is None:
            raise self.fail(key, "must not be null")
        return value

    def optional(self, key: str, kind: type[_T]) -> _T | None:
        value = self._raw.get(key)
        if value is None:
            return None
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise self.fail(key, f"must be {kind.__name__}, not {type(value).__name__}")
        return value

    def positive_int(self, key: str) -> int | None:
        value = self.optional(key, int)
        if value is not None and value <= 0:
            raise self.fail(key, "must be a positive integer or null")
        return value

    def date(self, key: str) -> dt.date:
        value = self.required(key, str)
        try:
            return dt.date.fromisoformat(value)
        except ValueError as exc:
            raise self.fail(key, f"must be a YYYY-MM-DD date, not {value!r}") from exc

    def optional_date(self, key: str) -> dt.date | None:
        if self._raw.get(key) is None:
            return None
        return self.date(key)

    def price(self, key: str) -> Decimal | None:
        value = self._raw.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | Decimal):
            raise self.fail(key, f"must be a number or null, not {value!r}")
        price = Decimal(value)
        if price < 0:
            raise self.fail(key, f"must not be negative, not {value}")
        return price

    def strings(self, key: str) -> tuple[str, ...]:
        values = self.optional(key, list) or []
        if not all(isinstance(v, str) and v for v in values):
            raise self.fail(key, "must be a list of non-empty strings")
        return tuple(cast(list[str], values))
