"""How close an answer is to the reference answer: token-level F1, as in the SQuAD benchmark.

The definition, in plain words:

1. Both texts are *normalised*: letters are lower-cased (Unicode case folding), every
   punctuation mark is removed (so "don't" becomes "dont"), the English articles "a", "an"
   and "the" are dropped, and the text is split into words at white space.
2. The words the two texts have in common are counted, each as many times as it appears in
   both (a word used 3 times in the answer and twice in the reference counts twice).
3. *Precision* is that count divided by the number of words in the answer (how much of the
   answer is in the reference); *recall* is that count divided by the number of words in the
   reference (how much of the reference the answer covers).
4. The score is their harmonic mean, ``2 × precision × recall / (precision + recall)``: from
   0 (no word in common) to 1 (the same words, in any order).

Two empty texts (after normalising) score 1; one empty and one not score 0. Word order,
synonyms and meaning are not taken into account: the score says how much wording the two
texts share, which suits short factual answers and replies in a fixed style. It is the metric
of Rajpurkar et al., *SQuAD: 100,000+ Questions for Machine Comprehension of Text* (2016),
whose evaluation script this follows (with Unicode punctuation instead of ASCII only).
"""

from __future__ import annotations

import unicodedata
from collections import Counter

__all__ = ["normalise_words", "token_f1"]

_ARTICLES = frozenset({"a", "an", "the"})


def normalise_words(text: str) -> list[str]:
    """The words of ``text`` after lower-casing and removing punctuation and articles.

    Args:
        text: any text.

    Returns:
        The normalised words, in order.
    """
    folded = text.casefold()
    kept = "".join(ch for ch in folded if not unicodedata.category(ch).startswith("P"))
    return [word for word in kept.split() if word not in _ARTICLES]


def token_f1(answer: str, reference: str) -> float:
    """Token-level F1 between an answer and a reference (see the module's definition).

    Args:
        answer: the model's answer.
        reference: the expected answer.

    Returns:
        A score from 0.0 to 1.0.
    """
    answer_words = normalise_words(answer)
    reference_words = normalise_words(reference)
    if not answer_words or not reference_words:
        return 1.0 if answer_words == reference_words else 0.0
    common = sum((Counter(answer_words) & Counter(reference_words)).values())
    if common == 0:
        return 0.0
    precision = common / len(answer_words)
    recall = common / len(reference_words)
    return 2 * precision * recall / (precision + recall)
