"""Layer 5: the AE-OT model as a whole: its settings, the one training path, bundles, bounded training jobs."""
