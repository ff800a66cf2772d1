"""Settings of an AE-OT run, as dataclasses that round-trip through JSON.

A bundle stores ``AEOTConfig.to_dict()`` beside the weights, and ``AEOTConfig.from_dict`` rebuilds
it, checking every key and type, so a model is always rebuilt from the settings that trained it.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import Any

from ..models.config import AEConfig, TrainConfig
from ..ot.config import OTConfig

__all__ = ["AEConfig", "TrainConfig", "OTConfig", "AEOTConfig"]

#: settings that take a positive integer or the string "auto"
_INT_OR_AUTO = frozenset({"validation_samples"})


def _from_dict(cls, d: Any, where: str):
    if not isinstance(d, dict):
        raise TypeError(f"{where} must be a JSON object (dict), got {type(d).__name__}.")
    fields = {f.name: f for f in dataclasses.fields(cls)}
    unknown = sorted(set(d) - set(fields))
    if unknown:
        raise ValueError(f"Unknown setting(s) {unknown} in {where}; known: {sorted(fields)}.")
    kwargs = {}
    for name, value in d.items():
        default = getattr(cls(), name)
        if isinstance(default, tuple) and isinstance(value, list):
            value = tuple(value)
        if name in _INT_OR_AUTO:
            # the type here; which strings and integers are allowed, OTConfig.validate says
            ok = isinstance(value, str) or isinstance(value, int) and not isinstance(value, bool)
        elif isinstance(default, bool):
            ok = isinstance(value, bool)
        elif isinstance(default, int):
            ok = isinstance(value, int) and not isinstance(value, bool)
        elif isinstance(default, float):
            ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
        elif isinstance(default, str):
            ok = isinstance(value, str)
        elif isinstance(default, tuple):
            ok = isinstance(value, tuple) and all(isinstance(v, int) and not isinstance(v, bool) for v in value)
        elif default is None:
            ok = value is None or isinstance(value, (int, float)) and not isinstance(value, bool)
        else:
            ok = True
        if not ok:
            raise TypeError(f"Setting {where}.{name} has the wrong type: {value!r} ({type(value).__name__}).")
        kwargs[name] = float(value) if isinstance(default, float) else value
    obj = cls(**kwargs)
    obj.validate()
    return obj


@dataclass
class AEOTConfig:
    """Everything that defines an AE-OT model: autoencoder, its training, the OT solve."""

    ae: AEConfig = field(default_factory=AEConfig)
    train: TrainConfig = field(default_factory=TrainConfig)
    ot: OTConfig = field(default_factory=OTConfig)

    def validate(self) -> None:
        self.ae.validate()
        self.train.validate()
        self.ot.validate()

    def to_dict(self) -> dict:
        d = dataclasses.asdict(self)
        d["ae"]["channels"] = list(self.ae.channels)
        d["ae"]["hidden"] = list(self.ae.hidden)
        return d

    @classmethod
    def from_dict(cls, d: Any) -> AEOTConfig:
        if not isinstance(d, dict):
            raise TypeError(f"config must be a JSON object (dict), got {type(d).__name__}.")
        unknown = sorted(set(d) - {"ae", "train", "ot"})
        if unknown:
            raise ValueError(f"Unknown config section(s) {unknown}; known: ['ae', 'ot', 'train'].")
        return cls(
            ae=_from_dict(AEConfig, d.get("ae", {}), "ae"),
            train=_from_dict(TrainConfig, d.get("train", {}), "train"),
            ot=_from_dict(OTConfig, d.get("ot", {}), "ot"),
        )
