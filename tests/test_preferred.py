import pytest

from analysis.errors import UserError
from analysis.study import variables
from analysis.study.preferred import preferred_specification


def test_the_committed_params_name_the_preferred_model():
    spec = preferred_specification()
    assert spec.outcome == variables.PRIMARY_OUTCOME and spec.estimator == "lpm"
    assert spec.covariates == tuple(variables.MODEL_COVARIATES)
    assert "wild cluster restricted bootstrap" in spec.describe()


def test_bad_blocks_are_named(tmp_path):
    path = tmp_path / "params.yaml"
    path.write_text("defaults: {}\n")
    with pytest.raises(UserError, match="no 'preferred_specification'"):
        preferred_specification(path)
    path.write_text(
        "preferred_specification:\n  estimator: logit\n  outcome: nope\n  covariates: [x]\n"
    )
    with pytest.raises(UserError) as error:
        preferred_specification(path)
    message = str(error.value)
    assert "estimator 'logit'" in message and "outcome 'nope'" in message and "['x']" in message
