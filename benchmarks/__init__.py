"""Benchmarks run by ``nox -s bench``: each ``bench_*.py`` exposes ``run() -> list[Result]``."""
