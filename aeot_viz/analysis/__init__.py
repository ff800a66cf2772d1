"""Layer 4: what a solved map shows.

Singular sets and their convex null, probes, generation, metrics, projections, the mode-collapse lab.
"""
