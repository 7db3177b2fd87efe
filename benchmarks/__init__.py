"""Benchmarks run by ``nox -s bench``; each ``bench_*.py`` module exposes ``run() -> list[Result]``."""
