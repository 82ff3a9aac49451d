"""Settings for the benchmark: the production settings, plus a URL conf with a bare view.

The bare view is the yardstick every page is measured against, so it exists only here, never
in the app's own URLs.
"""

import os

from config.settings import *  # noqa: F403
from config.settings import STATIC_ROOT

ROOT_URLCONF = "bench.urls"

# The benchmark collects static files into its own throwaway folder, not the checkout's.
STATIC_ROOT = os.environ.get("BENCH_STATIC_ROOT", str(STATIC_ROOT))
