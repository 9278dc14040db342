import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

# The app's long-lived objects (modules, models, URL patterns: every view is imported here) are moved out
# of the garbage collector's reach: a full collection then walks only what requests make, instead of
# stopping a request for tens of milliseconds now and then (the p95 of a page; docs/benchmarks.md).
get_resolver().url_patterns
gc.freeze()
