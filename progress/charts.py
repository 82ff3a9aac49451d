"""A line chart as SVG coordinates, drawn by the template: no client-side library."""

from dataclasses import dataclass


@dataclass
class Point:
    x: float
    y: float
    label: str
    value: float
    url: str


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
