"""Abstention calibration: a class-balanced logistic fit, shifted below every unanswerable example only on request."""

from __future__ import annotations

import json

import pytest

from bot.answer.calibration import FEATURES, Calibration, fit, load_calibration, save_calibration


class F:
    def __init__(self, *values):
        for name, v in zip(FEATURES, values, strict=True):
            setattr(self, name, v)


ROWS = [
    ((0.9, 0.8, 1.0), True),
    ((0.7, 0.6, 0.9), True),
    ((0.45, 0.4, 0.5), True),
    ((0.5, 0.45, 0.9), False),
    ((0.1, 0.0, 0.2), False),
    ((0.2, 0.1, 0.3), False),
]


def test_with_a_margin_every_unanswerable_example_ends_below_one_half():
    cal = fit("m", ROWS, margin=0.05)
    for features, answerable in ROWS:
        if not answerable:
            assert cal.confidence(F(*features)) < 0.5
    assert cal.confidence(F(0.9, 0.8, 1.0)) > 0.5


def test_by_default_the_fit_is_not_shifted_for_an_unanswerable_example_among_answerable_ones():
    """(0.5, 0.45, 0.9) is unanswerable but scores like the answerable rows: the plain fit leaves it above 0.5 rather
    than pushing the answerable (0.45, 0.4, 0.5) below with it."""
    plain, shifted = fit("m", ROWS), fit("m", ROWS, margin=0.05)
    assert plain.confidence(F(0.5, 0.45, 0.9)) > shifted.confidence(F(0.5, 0.45, 0.9))
    assert plain.bias > shifted.bias
    assert plain.confidence(F(0.1, 0.0, 0.2)) < 0.5 < plain.confidence(F(0.9, 0.8, 1.0))


def test_a_wider_margin_only_lowers_confidence():
    narrow, wide = fit("m", ROWS, margin=0.05), fit("m", ROWS, margin=1.0)
    assert wide.confidence(F(0.7, 0.6, 0.9)) < narrow.confidence(F(0.7, 0.6, 0.9))


def test_fit_needs_both_labels():
    with pytest.raises(ValueError):
        fit("m", [r for r in ROWS if r[1]])


def test_saved_calibration_is_loaded_per_model_and_missing_ones_fall_back(tmp_path):
    path = tmp_path / "calibration.json"
    save_calibration(Calibration("m", (1.0, 2.0, 3.0), -4.0, "x"), path)
    assert json.loads(path.read_text())["m"]["bias"] == -4.0
    assert load_calibration("m", path).weights == (1.0, 2.0, 3.0)
    assert load_calibration("other", path).fitted_on == "hand-set fallback"
