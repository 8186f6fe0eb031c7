"""Benchmarks: `python -m benchmarks [name ...]` runs them all (or the named ones) and prints figures.

Each module here has a `main(argv)` that sets up its own data on the configured database, prints its
figures and ratios, and returns 0. Results are recorded in docs/benchmarks.md."""
