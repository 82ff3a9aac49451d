"""Locators the journeys share."""


def answer_box(page):
    """The take page's answer box. By role and exact name: a question's prompt can itself say
    "in your answer", and the panel is labelled by the prompt, so a loose label match finds two."""
    return page.get_by_role("textbox", name="Your answer", exact=True)
