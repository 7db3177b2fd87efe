"""Repository tools (audit, type generation, data downloads); importable for tests."""
