"""A line chart as SVG coordinates, drawn by the template: no client-side library."""

from dataclasses import dataclass


@dataclass
class Point:
    x: float
    y: float
    label: str
    value: float
    url: str

    @property
    def percent(self) -> str:
        return f"{round(self.value * 100)}%"


def line_chart(rows, *, width=640, height=240, pad=36):
    """rows: (label, value in 0..1, url). Returns the points, the polyline and the grid."""
    inner_w, inner_h = width - 2 * pad, height - 2 * pad
    count = len(rows)
    points = []
    for index, (label, value, url) in enumerate(rows):
        x = pad + (inner_w * index / (count - 1) if count > 1 else inner_w / 2)
        y = pad + inner_h * (1 - value)
        points.append(Point(round(x, 1), round(y, 1), label, value, url))
    grid = [
        {"y": round(pad + inner_h * (1 - level / 100), 1), "label": f"{level}%"}
        for level in (0, 25, 50, 75, 100)
    ]
    return {
        "width": width,
        "height": height,
        "pad": pad,
        "right": width - pad,
        "bottom": height - pad,
        "points": points,
        "polyline": " ".join(f"{p.x},{p.y}" for p in points),
        "grid": grid,
    }


def bar_chart(rows, *, width=420, height=160, pad=28):
    """rows: (label, count). Bars scaled to the largest count (at least 1), as SVG numbers."""
    inner_w, inner_h = width - 2 * pad, height - 2 * pad
    top = max([count for _, count in rows] + [1])
    slot = inner_w / max(len(rows), 1)
    bars = []
    for index, (label, count) in enumerate(rows):
        bar_h = inner_h * count / top
        bars.append(
            {
                "x": round(pad + slot * index + slot * 0.15, 1),
                "width": round(slot * 0.7, 1),
                "y": round(pad + inner_h - bar_h, 1),
                "height": round(bar_h, 1),
                "centre": round(pad + slot * index + slot / 2, 1),
                "label": label,
                "count": count,
            }
        )
    return {"width": width, "height": height, "bottom": pad + inner_h, "bars": bars}
