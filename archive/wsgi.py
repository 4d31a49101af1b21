"""WSGI entry point (gunicorn archive.wsgi)."""
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archive.settings")

application = get_wsgi_application()

# Each worker opens the search index as it boots (gunicorn imports this module in every worker
# unless --preload is given, which must not be: Whoosh's open files cannot be shared across a
# fork). At a million quotes opening it takes seconds; the first visitor should not wait.
from statements.indexing import search_index_open  # noqa: E402

search_index_open()
