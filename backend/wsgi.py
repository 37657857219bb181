import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")

application = get_wsgi_application()

# The URL conf (every view and its serializers) is loaded now rather than by the first
# request. What is loaded by then lives as long as the process; frozen, the garbage
# collections that requests trigger no longer walk it (bench/RESULTS.md: they cost a search
# 0.4 ms instead of 1.0 ms of CPU).
get_resolver().url_patterns  # noqa: B018 (loads it)
gc.collect()
gc.freeze()
