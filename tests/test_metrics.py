"""nnlib.metrics: the AUC and ROC of anomaly scores."""
import numpy as np
import pytest

from nnlib.metrics import anomaly_auc, anomaly_roc


def test_auc_is_the_chance_that_an_unusual_input_scores_higher():
    rng = np.random.default_rng(0)
    scores_in, scores_out = rng.normal(size=40), rng.normal(1.0, size=30)
    pairs = scores_out[:, None] > scores_in[None, :]
    assert anomaly_auc(scores_in, scores_out) == pytest.approx(pairs.mean())
    assert anomaly_auc([0.1, 0.2], [0.3, 0.4]) == 1.0
    assert anomaly_auc([0.3, 0.4], [0.1, 0.2]) == 0.0
    assert anomaly_auc([1.0, 1.0], [1.0]) == 0.5
    assert isinstance(anomaly_auc([0.1], [0.2]), float)


def test_roc_runs_from_the_origin_to_the_corner():
    fpr, tpr = anomaly_roc([0.1, 0.4, 0.35], [0.8, 0.3])
    assert fpr[0] == tpr[0] == 0.0 and fpr[-1] == tpr[-1] == 1.0
    assert np.all(np.diff(fpr) >= 0) and np.all(np.diff(tpr) >= 0)
    np.testing.assert_allclose(np.trapezoid(tpr, fpr), anomaly_auc([0.1, 0.4, 0.35], [0.8, 0.3]))


@pytest.mark.parametrize("scores_in, scores_out, message", [
    ([[0.1, 0.2]], [0.3], "1-D"), ([], [0.3], "non-empty"), ([0.1], [np.nan], "finite"), (["a"], [0.1], "numeric"),
])
def test_bad_scores_are_refused(scores_in, scores_out, message):
    with pytest.raises(ValueError, match=message):
        anomaly_auc(scores_in, scores_out)
