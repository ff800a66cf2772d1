"""Layer 0, the floor: settings from the environment, progress events, device choice. Imports nothing above it."""
