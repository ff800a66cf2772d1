"""Layer 1: reading untrusted arrays with caps, pickle-free archives, checkpoints, PIL pictures."""
