"""Paywall detection benchmark: ``python -m benchmarks.paywall``."""
