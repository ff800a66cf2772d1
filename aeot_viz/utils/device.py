"""Device selection shared by the trainer and the OT solver."""

from __future__ import annotations

import torch

__all__ = ["resolve_device"]


def resolve_device(device: str | torch.device | None = "auto") -> torch.device:
    """Return the torch device to compute on.

    Parameters
    ----------
    device : {"auto", "cpu", "cuda", "cuda:N"} or torch.device or None
        ``"auto"`` (or None) picks CUDA when available, the CPU otherwise.

    Raises
    ------
    ValueError
        If the name is not a device torch knows, or CUDA is asked for on a machine without it.
    """
    if isinstance(device, torch.device):
        dev = device
    elif device is None or device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    elif isinstance(device, str):
        try:
            dev = torch.device(device)
        except RuntimeError as exc:
            raise ValueError(
                f"Unknown device {device!r}: use 'auto', 'cpu', 'cuda' or 'cuda:N'."
            ) from exc
    else:
        raise TypeError(f"device must be a string or torch.device, got {type(device).__name__}.")
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(
            f"device={device!r} was asked for but CUDA is not available here; use device='auto' or 'cpu'."
        )
    if dev.type not in ("cpu", "cuda"):
        raise ValueError(f"Unsupported device {device!r}: use 'auto', 'cpu' or 'cuda'.")
    return dev
