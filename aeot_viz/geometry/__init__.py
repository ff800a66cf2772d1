"""Layer 2: power diagrams of the Brenier potential, the chunked scoring kernel, facet statistics."""
