"""Benchmarks of paperkb (run as modules, e.g. `python -m benchmarks.bench_search`)."""
