"""data/providers."""
