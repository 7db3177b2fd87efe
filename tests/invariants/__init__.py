"""Whole-repository invariants: each checks the real tree and names the command that fixes it."""
