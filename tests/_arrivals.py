"""Reading when requests arrived: the busiest window of a pacing test."""

from __future__ import annotations


def busiest(times, window=1.0):
    """The most arrivals inside any half-open window of `window` seconds."""
    times = sorted(times)
    return max((sum(1 for t in times[i:] if t - start < window) for i, start in enumerate(times)), default=0)
