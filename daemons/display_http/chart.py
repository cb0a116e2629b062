"""The status page's reads-per-minute chart, as data for an inline SVG (pure)."""

from __future__ import annotations

from typing import Any


def minute_chart(
    per_minute: list[dict[str, Any]],
    width: int = 600,
    height: int = 120,
) -> dict[str, Any]:
    """Bars for an inline SVG: one per minute of the last hour, scaled to the busiest."""
    peak = max((row["reads"] for row in per_minute), default=0)
    bar = width / 60
    bars = []
    if per_minute:
        newest = max(row["minute"] for row in per_minute)
        for row in per_minute:
            age = int((newest - row["minute"]).total_seconds() // 60)
            if 0 <= age < 60:
                h = max(1.0, row["reads"] / peak * (height - 14)) if peak else 0
                bars.append(
                    {
                        "x": round(width - (age + 1) * bar, 1),
                        "y": round(height - h, 1),
                        "w": round(bar - 1, 1),
                        "h": round(h, 1),
                        "label": f"{row['minute']:%H:%M} {row['reads']} reads",
                    }
                )
    return {"width": width, "height": height, "bars": bars, "peak": peak}
