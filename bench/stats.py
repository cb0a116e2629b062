"""Latency figures shared by the benchmarks: nearest-rank percentiles, one summary shape."""

from __future__ import annotations


def percentile(values: list[float], p: float) -> float:
    """The nearest-rank p-th percentile (a value that was measured, not interpolated)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def summary(times: list[float]) -> dict[str, float]:
    return {
        "n": len(times),
        "p50": percentile(times, 50),
        "p95": percentile(times, 95),
        "max": max(times),
    }
