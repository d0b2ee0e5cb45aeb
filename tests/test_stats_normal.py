"""The normal critical values and p-values of ``stats._common`` come from ``scipy.special``
(so that importing the estimators does not import ``scipy.stats``): they must carry the same
bits as ``scipy.stats.norm``'s."""

import numpy as np
import pytest
from scipy import stats

from analysis.stats._common import normal_p_value, z_critical


@pytest.mark.parametrize("alpha", [0.001, 0.01, 0.05, 0.1, 0.32, 0.5, 0.9])
def test_z_critical_equals_scipy_norm_ppf(alpha):
    assert z_critical(alpha) == float(stats.norm.ppf(1 - alpha / 2))


def test_normal_p_value_equals_scipy_norm_sf():
    statistic = np.concatenate([np.linspace(-40, 40, 20001), [0.0, -0.0, 1.959963984540054]])
    assert np.array_equal(normal_p_value(statistic), 2 * stats.norm.sf(np.abs(statistic)))


def test_z_critical_rejects_alpha_outside_the_unit_interval():
    with pytest.raises(ValueError, match="alpha must lie in"):
        z_critical(1.5)
