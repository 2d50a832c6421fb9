"""Calibration: when do the articles answer a question?

A logistic model over three retrieval features (best sentence cosine, best
passage cosine, share of the question's terms the corpus knows) gives the
probability that the question is answerable; below 0.5 the bot abstains.

The coefficients are fitted by ``python -m bot calibrate`` from labelled
questions (``eval/calibration.jsonl``: answerable and unanswerable ones, asked
carefully and as people type, none from the question sets) and stored per
embedding model in ``bot/calibration.json``: a logistic regression with both
classes weighted alike, no further shift. Typed questions near the topic that
the articles do not answer ("ml engineer salary in india in rupees") score as
high as answerable ones on these features; moving the intercept until every
one of them fell below 0.5 declined most casual questions (realistic
answer_hit 0.73 -> 0.60). Those are left to the focus checks
(``bot.answer.focus``: a word or a country no document uses, a figure no
sentence states).
"""

from __future__ import annotations

import json
import logging
import math
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

CALIBRATION_FILE = Path(__file__).with_name("calibration.json")
FEATURES = ("best_sentence", "best_passage", "coverage")


@dataclass(frozen=True, kw_only=True)
class Features:
    """What the abstention decision looks at."""

    best_sentence: float  # best sentence cosine among the top passages
    best_passage: float  # best passage cosine
    coverage: float  # idf-weighted share of the question's terms known to the corpus


@dataclass(frozen=True)
class Calibration:
    model: str
    weights: tuple[float, ...]
    bias: float
    fitted_on: str = ""

    def logit(self, features) -> float:
        return self.bias + sum(w * float(getattr(features, name)) for w, name in zip(self.weights, FEATURES, strict=True))

    def confidence(self, features) -> float:
        z = self.logit(features)
        return 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, z))))


#: Used for a model with no fitted calibration: the bundled model's fit, a fair start for similar models.
FALLBACK = Calibration("fallback", (12.0, 4.0, 3.0), -7.5, "hand-set fallback")


def load_calibration(model: str, path: Path = CALIBRATION_FILE) -> Calibration:
    try:
        table = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        table = {}
    entry = table.get(model)
    if not entry:
        log.warning("no abstention calibration for model %r: using the fallback; run `python -m bot calibrate`", model)
        return FALLBACK
    return Calibration(model, tuple(entry["weights"]), float(entry["bias"]), entry.get("fitted_on", ""))


def fit(model: str, rows: list[tuple[tuple[float, ...], bool]], margin: float | None = None, source: str = "") -> Calibration:
    """Logistic regression on (features, answerable), the two classes weighted alike; with ``margin``, the intercept is
    then shifted so that every negative sits below 0.5 - margin in logit."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    x = np.array([r[0] for r in rows], dtype=np.float64)
    y = np.array([1 if r[1] else 0 for r in rows])
    if len(set(y.tolist())) < 2:
        raise ValueError("calibration needs both answerable and unanswerable questions")
    clf = LogisticRegression(C=10.0, class_weight="balanced", max_iter=1000).fit(x, y)
    weights = tuple(float(w) for w in clf.coef_[0])
    bias = float(clf.intercept_[0])
    negatives = x[y == 0] @ np.array(weights) + bias
    worst = float(negatives.max())
    if margin is not None and worst > -margin:
        bias -= worst + margin
    return Calibration(model, weights, bias, source)


def save_calibration(cal: Calibration, path: Path = CALIBRATION_FILE) -> None:
    try:
        table = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        table = {}
    table[cal.model] = {"weights": list(cal.weights), "bias": cal.bias, "features": list(FEATURES), "fitted_on": cal.fitted_on}
    path.write_text(json.dumps(table, indent=2) + "\n", encoding="utf-8")
