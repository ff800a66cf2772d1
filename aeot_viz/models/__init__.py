"""Layer 3: the networks: autoencoders, the latent normaliser, the baseline generators, the digit judge."""
