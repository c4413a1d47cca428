"""Language of a text: ISO 639-1, detected with py3langid, declared languages as hints.

Detection wins on enough text; the hints (the page's ``<html lang>``, the
feed's or the configuration's language) decide short or ambiguous texts,
as long as the detector finds them plausible.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

from py3langid.langid import MODEL_FILE, LanguageIdentifier

SAMPLE_CHARS = 1500  # plenty for a confident answer; detection time grows with it
MIN_CHARS = 20  # below this, detection is noise: the first hint decides
CONFIDENT = 0.9
CONFIDENT_CHARS = 80
PLAUSIBLE = 0.01


@cache
def _identifier() -> LanguageIdentifier:
    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    # The model also knows 3-letter-only languages; newsmon reports ISO 639-1 codes.
    identifier.set_languages([code for code in identifier.nb_classes if len(code) == 2])
    # set_languages() keeps the full table (27 MB) for a reset that never comes: the crawl's
    # peak RSS has a budget (benchmarks/politeness.py). Without that attribute, nothing to drop.
    if hasattr(identifier, "_full_model"):
        identifier._full_model = (identifier.nb_ptc, identifier.nb_pc, identifier.nb_classes)
    return identifier


def detect_language(text: str, hints: Iterable[str | None] = ()) -> str | None:
    declared = [h for h in dict.fromkeys(hints) if h]
    sample = " ".join(text[:SAMPLE_CHARS].split())
    if len(sample) < MIN_CHARS:
        return declared[0] if declared else None
    ranked = [(str(code), float(p)) for code, p in _identifier().rank(sample)]
    top, probability = ranked[0]
    if probability >= CONFIDENT and len(sample) >= CONFIDENT_CHARS:
        return top
    scores = dict(ranked)
    for hint in declared:
        if scores.get(hint, 0.0) >= PLAUSIBLE:
            return hint
    if probability >= 0.5 or not declared:
        return top
    return declared[0]


def warm_up() -> None:
    """Load the model now (about half a second) rather than on the first article."""
    _identifier()
