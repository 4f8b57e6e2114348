"""Benchmarks, run on demand (never in the test suite): `python -m bench [NAME ...]`.

Each prints its figures and, measured in the same run on the same machine, a baseline to
compare against, so the ratios mean something whatever the machine's speed.
"""
