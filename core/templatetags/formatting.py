from django import template

register = template.Library()


@register.filter
def clock(seconds):
    """137 -> '2:17'; None -> ''."""
    if seconds is None or seconds == "":
        return ""
    seconds = max(0, int(seconds))
    return f"{seconds // 60}:{seconds % 60:02d}"


@register.filter
def duration(seconds):
    """Human time used: 75 -> '1 min 15 s', 40 -> '40 s'."""
    if seconds is None:
        return "–"
    seconds = int(seconds)
    if seconds < 60:
        return f"{seconds} s"
    minutes, rest = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {rest} s" if rest else f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min"


@register.filter
def percent(value):
    """0.666 -> '67%'; None -> '–'."""
    if value is None:
        return "–"
    return f"{round(value * 100)}%"
