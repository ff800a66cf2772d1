import json

import numpy as np
import pytest

from aeot_viz.pipeline.config import AEConfig, AEOTConfig, OTConfig, TrainConfig


def test_round_trip_through_json():
    c = AEOTConfig(ae=AEConfig(kind="conv", latent_dim=8, channels=(16, 32)), train=TrainConfig(epochs=3),
                   ot=OTConfig(source="gaussian", max_iter=50))
    d = json.loads(json.dumps(c.to_dict()))
    assert AEOTConfig.from_dict(d) == c


@pytest.mark.parametrize(
    "d, exc, match",
    [
        ({"ae": {"latent": 3}}, ValueError, "Unknown setting"),
        ({"model": {}}, ValueError, "Unknown config section"),
        ({"train": {"epochs": "10"}}, TypeError, "wrong type"),
        ({"train": {"epochs": True}}, TypeError, "wrong type"),
        ({"ot": {"lr": float("nan")}}, TypeError, "wrong type"),
        ({"ae": {"latent_dim": 0}}, ValueError, "latent_dim"),
        ({"ae": {"kind": "transformer"}}, ValueError, "kind"),
        ({"ot": {"source": "cauchy"}}, ValueError, "source"),
        ({"train": {"batch_size": 0}}, ValueError, "batch_size"),
        ([], TypeError, "JSON object"),
    ],
)
def test_invalid_configs_are_rejected_with_a_reason(d, exc, match):
    with pytest.raises(exc, match=match):
        AEOTConfig.from_dict(d)


def test_the_solver_and_its_config_share_one_set_of_defaults_and_rules():
    import dataclasses
    import inspect

    from aeot_viz.ot import SemiDiscreteOT

    signature = inspect.signature(SemiDiscreteOT)
    for f in dataclasses.fields(OTConfig):
        assert signature.parameters[f.name].default == getattr(OTConfig(), f.name), f.name
    # the same rule refuses the same bad setting from both doors, with the same message
    with pytest.raises(ValueError, match="momentum must be in") as from_config:
        OTConfig(momentum=1.0).validate()
    with pytest.raises(ValueError, match="momentum must be in") as from_solver:
        SemiDiscreteOT(momentum=1.0).fit(np.zeros((3, 2), dtype=np.float32))
    assert str(from_config.value) == str(from_solver.value)
