class RowIdConverter:
    """A database id in a URL: at most 18 digits, so it always fits a 64-bit column. A longer
    number is no URL of ours (404), instead of an overflow inside the database driver (500)."""

    regex = "[0-9]{1,18}"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return str(value)
