"""glasslab.cnn.scores: softmax with a temperature and the checks of set()."""

from __future__ import annotations

import numpy as np
import pytest
from glasslab.cnn import scores


def test_probabilities_are_softmax_of_logits_over_t():
    z = np.array([2.0, -1.0, 0.5, 3.0])
    for t in (0.1, 0.5, 1.0, 2.0, 10.0):
        p = scores.probabilities(z, t)
        expected = np.exp(z / t) / np.exp(z / t).sum()
        np.testing.assert_allclose(p, expected, rtol=1e-12)
        assert np.argmax(p) == 3
    assert scores.probabilities(z, 0.1)[3] > scores.probabilities(z, 1)[3]
    assert scores.probabilities(z, 10).std() < scores.probabilities(z, 1).std()
    big = scores.probabilities([1000.0, 0.0], 0.1)  # no overflow
    np.testing.assert_allclose(big, [1.0, 0.0])


def test_settings_are_checked():
    assert scores.read_settings({"temperature": 2}) == {"temperature": 2.0}
    assert scores.read_settings({"temperature": 0.1}) == {"temperature": 0.1}
    assert scores.read_settings({}) == {}
    for bad in (0.0, 0.05, 10.5, -1, float("nan"), float("inf"), "2", None, True):
        with pytest.raises(ValueError, match="temperature must be a number from 0.1 to 10"):
            scores.read_settings({"temperature": bad})
    with pytest.raises(ValueError, match="unknown setting 'temp'"):
        scores.read_settings({"temp": 2})
    with pytest.raises(ValueError, match="takes an object"):
        scores.read_settings(2)
    state = scores.score_state(np.array([1.5, -2.0], np.float32), 2.0)
    assert state == {"temperature": 2.0, "logits": [1.5, -2.0]}


def test_class_scores_of_a_model():
    from test_cnn_backward import course_model

    model = course_model("Softmax")
    image = np.random.default_rng(0).random(model.input_shape, dtype=np.float32)
    acts = model.forward(image)
    logits, probs = scores.class_scores(model, image, acts, 1.0)
    np.testing.assert_allclose(probs, model.probabilities(acts), atol=1e-6)
    _, hot = scores.class_scores(model, image, acts, 4.0)
    np.testing.assert_allclose(hot, scores.probabilities(logits / 4.0), rtol=1e-12)
