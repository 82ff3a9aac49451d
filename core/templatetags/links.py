"""`{% link 'name' %}`: the address of a URL that takes no arguments, worked out once per
process instead of on every render. The base template has about twenty such links (the menus
are written twice, for wide screens and phones), and `{% url %}` reverses each one again on
every page; that was a good part of the time the base template took to render."""

import functools

from django import template
from django.urls import get_script_prefix, get_urlconf, reverse

register = template.Library()


@functools.cache
def _address(name: str, prefix: str, urlconf: str | None) -> str:
    return reverse(name, urlconf=urlconf)


@register.simple_tag
def link(name: str) -> str:
    # The prefix and URL conf are part of the key: reverse() depends on both.
    return _address(name, get_script_prefix(), get_urlconf())
