"""One-click interviews: each starts at once, with no form to fill in."""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Preset:
    slug: str
    name: str
    description: str
    count: int
    seconds: int
    difficulties: tuple[str, ...] = field(default=())
    mixed: bool = False


PRESETS = [
    Preset("quick", "Quick round", "3 questions × 2 min", 3, 120),
    Preset("phone-screen", "Phone screen", "6 × 3 min, mixed topics", 6, 180, mixed=True),
    Preset(
        "deep-dive",
        "Deep dive",
        "4 × 5 min, intermediate and advanced",
        4,
        300,
        difficulties=("intermediate", "advanced"),
    ),
]
BY_SLUG = {preset.slug: preset for preset in PRESETS}
