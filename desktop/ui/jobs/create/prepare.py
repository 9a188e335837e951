"""Before the quote: split if asked, count the tokens for the chosen model, and price the job.

Everything here is local (checks and splits in worker threads); nothing is sent anywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from desktop.core.catalog import CatalogModel, ModelCatalog
from desktop.core.jobs.quote import CostQuote, quote_training
from desktop.ui.jobs.create.checking import CheckedFile, FileChecker, billable_tokens
from desktop.ui.jobs.create.creation import PreparedDataset
from desktop.ui.jobs.create.data_page import DataChoice, ValidationMode
from desktop.ui.jobs.create.env import CreateJobEnv

DEFAULT_ENCODING = "o200k_base"


@dataclass(frozen=True, slots=True)
class PreparedJob:
    """The datasets to send and the quote the user confirms. ``problem`` blocks creation."""

    training: PreparedDataset
    validation: PreparedDataset | None
    quote: CostQuote | None
    quote_text: str
    problem: str = ""


def check_settings_for(model: CatalogModel | None) -> tuple[str, int | None]:
    """The tokenizer and example limit to check with for ``model`` (a default without one)."""
    if model is None:
        return DEFAULT_ENCODING, None
    return model.encoding, model.training_context_tokens


def needs_recheck(checked: CheckedFile, model: CatalogModel | None) -> bool:
    """Whether ``checked`` was counted with another tokenizer or limit than ``model`` uses."""
    encoding, limit = check_settings_for(model)
    report = checked.report
    return report.encoding_name != encoding or billable_tokens(report, context_limit=limit) is None


async def _for_model(
    checker: FileChecker, checked: CheckedFile, model: CatalogModel | None
) -> CheckedFile:
    if not needs_recheck(checked, model):
        return checked
    encoding, limit = check_settings_for(model)
    return await checker.check(
        checked.path,
        encoding_name=encoding,
        context_limit=limit,
        for_validation=checked.for_validation,
    )


async def prepare_job(
    env: CreateJobEnv,
    checker: FileChecker,
    data: DataChoice,
    *,
    model_id: str,
    model: CatalogModel | None,
    method: str,
    n_epochs: int | Literal["auto"],
    own_price: Decimal | None,
) -> PreparedJob:
    """Split (if asked), re-count for ``model`` where needed, and quote the job.

    Raises:
        FinetuneError: a file cannot be read or written, or the user stopped the work.
    """
    validation: PreparedDataset | None = None
    training_local = data.training_local
    if training_local is None:
        training = PreparedDataset(remote_id=data.training_remote)
    else:
        training_local = await _for_model(checker, training_local, model)
        source = str(data.training_local.path) if data.training_local else None
        if data.validation_mode is ValidationMode.SPLIT:
            train_part, valid_part = await checker.split(
                training_local, percent=data.split_percent, target_dir=env.resolved_split_dir()
            )
            encoding, limit = check_settings_for(model)
            training_local = await checker.check(
                train_part, encoding_name=encoding, context_limit=limit
            )
            valid_checked = await checker.check(
                valid_part, encoding_name=encoding, context_limit=limit, for_validation=True
            )
            validation = PreparedDataset(local=valid_checked, source_path=str(valid_part))
        training = PreparedDataset(local=training_local, source_path=source)
    if data.validation_mode is ValidationMode.LOCAL and data.validation_local is not None:
        checked = await _for_model(checker, data.validation_local, model)
        validation = PreparedDataset(local=checked, source_path=str(checked.path))
    elif data.validation_mode is ValidationMode.REMOTE:
        validation = PreparedDataset(remote_id=data.validation_remote)
    for part in (training, validation):
        if part is not None and part.local is not None and part.local.problem:
            return PreparedJob(training, validation, None, "", problem=part.local.problem)
    quote, text = _quote(
        env.catalog, training, model_id, model, method, n_epochs, own_price, demo=env.is_demo
    )
    return PreparedJob(training, validation, quote, text)


def _quote(
    catalog: ModelCatalog | None,
    training: PreparedDataset,
    model_id: str,
    model: CatalogModel | None,
    method: str,
    n_epochs: int | Literal["auto"],
    own_price: Decimal | None,
    *,
    demo: bool,
) -> tuple[CostQuote | None, str]:
    demo_note = " Demo connection: simulated, nothing is charged." if demo else ""
    checked = training.local
    if checked is None:
        return None, (
            "The cost cannot be estimated for a file that is only on the connection: its "
            "tokens are not known here. Choose the local copy on the Data page to see the "
            f"cost, or check the provider's price list.{demo_note}"
        )
    if catalog is None:
        return None, f"The app's price list is unavailable, so the cost is unknown.{demo_note}"
    _, limit = check_settings_for(model)
    billable = billable_tokens(checked.report, context_limit=limit)
    if billable is None:  # cannot happen after _for_model; kept honest rather than guessed
        return None, "The tokens could not be counted for this model."
    quote = quote_training(
        model=model_id,
        billable_tokens=billable,
        n_examples=checked.report.stats.examples,
        n_epochs=n_epochs,
        catalog=catalog,
        method=method,
        price_per_million=own_price,
    )
    stats = checked.report.stats
    cut = ""
    if limit is not None and stats.context_limit == limit and stats.over_limit:
        cut = (
            f" {stats.over_limit:,} example(s) are longer than {limit:,} tokens and will be cut "
            "short (only the first tokens are trained and billed)."
        )
    return quote, f"{quote.describe()}.{cut}{demo_note}"
