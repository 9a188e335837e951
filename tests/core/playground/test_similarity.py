"""Token F1 gives the SQuAD values on known pairs."""

from __future__ import annotations

import pytest

from desktop.core.playground.similarity import normalise_words, token_f1


def test_normalising_drops_case_punctuation_and_articles_when_present() -> None:
    assert normalise_words("The Cat, an owl; A dog's bone!") == ["cat", "owl", "dogs", "bone"]


def test_score_is_one_when_texts_differ_only_in_case_punctuation_and_articles() -> None:
    assert token_f1("The answer is 42.", "answer is 42") == 1.0


def test_score_is_harmonic_mean_when_words_partly_overlap() -> None:
    # answer [cat, sat], reference [cat, sat, down]: precision 1, recall 2/3 -> F1 0.8
    assert token_f1("the cat sat", "a cat sat down") == pytest.approx(0.8)


def test_score_counts_repeated_words_at_most_as_often_as_both_have_them() -> None:
    # answer [yes, yes, yes], reference [yes, no]: 1 common; P 1/3, R 1/2 -> F1 0.4
    assert token_f1("yes yes yes", "yes no") == pytest.approx(0.4)


def test_score_is_zero_when_no_word_is_shared() -> None:
    assert token_f1("blue sky", "green grass") == 0.0


def test_score_is_one_when_both_texts_are_empty_after_normalising() -> None:
    assert token_f1("The.", "a!") == 1.0


def test_score_is_zero_when_only_one_text_is_empty() -> None:
    assert token_f1("", "something") == 0.0


def test_score_ignores_word_order_when_the_words_are_the_same() -> None:
    assert token_f1("Paris is in France", "France is in Paris") == 1.0
