"""Layer 2: datasets (toys, built-in digits, files, uploads) as one Dataset type."""
