"""Several processes change quotes at once; afterwards the search index equals the database.

Runs real processes against a file database of their own (the index queue and the writer lock
are what is under test, so each process must commit independently)."""

import json
import subprocess
import sys
import time

import pytest

from statements.indexing import IMPORT_WAL_CHECKPOINT_PAGES
from tests.conftest import ROOT

CHURN = """
import random
from django.db import transaction
from statements.models import Quote, Speaker
from statements import services
rng = random.Random({seed})
speakers = list(Speaker.objects.all())
for step in range(25):
    quotes = Quote.objects.filter(pk__in=rng.sample(list(Quote.objects.values_list("pk", flat=True)), 3))
    action = rng.choice(["approve", "reject", "reattribute", "rename"])
    if action == "approve":
        services.quote_set_status(quotes=quotes, status="approved")
    elif action == "reject":
        services.quote_set_status(quotes=quotes, status="rejected")
    elif action == "reattribute":
        services.quote_reattribute(quotes=quotes, speaker=rng.choice(speakers))
    else:
        speaker = rng.choice(speakers)
        with transaction.atomic():
            speaker = Speaker.objects.select_for_update().get(pk=speaker.pk)
            speaker.name = speaker.name.split(" #")[0] + f" #{{{seed}}}{{step}}"
            speaker.save()
"""

COMPARE = """
import json
from haystack.query import SearchQuerySet
from statements.models import Quote
indexed = {int(r.pk): None for r in SearchQuerySet().models(Quote).all()[:100000]}
by_speaker = {}
for quote in Quote.objects.published().select_related("speaker"):
    found = [int(r.pk) for r in SearchQuerySet().models(Quote).filter(words='"' + quote.speaker.name + '"')[:1000]]
    by_speaker[quote.pk] = quote.pk in found
print(json.dumps({"indexed": sorted(indexed), "published": sorted(Quote.objects.published().values_list("pk", flat=True)), "speaker_names_current": all(by_speaker.values())}))
"""


def test_concurrent_writers_leave_the_index_equal_to_the_database(file_archive):
    manage = file_archive
    manage("rebuild_index", "--noinput", "-v0")

    workers = [
        subprocess.Popen([sys.executable, "manage.py", "shell", "-c", CHURN.format(seed=seed)], cwd=ROOT, env=manage.env,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for seed in range(4)
    ]
    for worker in workers:
        _, err = worker.communicate(timeout=300)
        assert worker.returncode == 0, err[-3000:]

    manage("process_index_queue")
    state = json.loads(manage("shell", "-c", COMPARE).stdout.strip().splitlines()[-1])
    assert state["indexed"] == state["published"]
    assert state["speaker_names_current"] is True


LONG_IMPORT = """
import json, time
from haystack.query import SearchQuerySet
from statements.importing import ArticleRecord, import_records
from statements.models import Article, IndexQueueEntry

def found(word):
    return [r.object.title for r in SearchQuerySet().models(Article).filter(content=word)]

searchable_during_import = autocheckpoint_during = None
autocheckpoint_before = None

def autocheckpoint():
    from django.db import connection
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_autocheckpoint")
        return cursor.fetchone()[0]

def records():
    global searchable_during_import, autocheckpoint_during
    for number in range(1, 5):
        if number == 4:  # three batches have committed; the import is still running
            deadline = time.monotonic() + 20
            while not found("zanzibarian1") and time.monotonic() < deadline:
                time.sleep(0.05)
            searchable_during_import = found("zanzibarian1")
            autocheckpoint_during = autocheckpoint()
        yield "long import", ArticleRecord(
            origin=f"article {{number}}", title=f"Tariff answer {{number}}", source="Ministry wire",
            content=f"The minister said: “We will answer every zanzibarian{{number}} tariff in kind.”",
        )

autocheckpoint_before = autocheckpoint()
summary = import_records(records(), status=Article.Status.PUBLISHED, on_failure=print, procs={procs}, batch_size=1)
print(json.dumps({{
    "imported": summary.imported,
    "during": searchable_during_import,
    "after": [found(f"zanzibarian{{n}}") for n in range(1, 5)],
    "queued": IndexQueueEntry.objects.count(),
    "autocheckpoint": [autocheckpoint_before, autocheckpoint_during, autocheckpoint()],
}}))
"""


@pytest.mark.parametrize("procs", [1, 2])
def test_a_long_imports_articles_are_searchable_while_it_runs_and_all_of_them_once_it_returns(file_archive, procs):
    manage = file_archive
    manage("rebuild_index", "--noinput", "-v0")

    state = json.loads(manage("shell", "-c", LONG_IMPORT.format(procs=procs)).stdout.strip().splitlines()[-1])

    assert state["imported"] == 4
    assert state["during"] == ["Tariff answer 1"]
    assert state["after"] == [[f"Tariff answer {n}"] for n in range(1, 5)]
    assert state["queued"] == 0
    # The import's commits left most of the write-ahead log to the applier to copy into the
    # database, and afterwards this connection copies it as often as before.
    before, during, after = state["autocheckpoint"]
    assert during == IMPORT_WAL_CHECKPOINT_PAGES and after == before != during


SMALL_COMMITS = """
from statements.models import Quote, Speaker
from statements import services
speakers = list(Speaker.objects.order_by("pk")[:2])
for number, quote in enumerate(Quote.objects.published().order_by("pk")[:8]):
    # Each commit applies its change at once: the quote indexed again, in a segment of its own.
    services.quote_reattribute(quotes=Quote.objects.filter(pk=quote.pk), speaker=speakers[number % 2])
"""


def test_the_looping_worker_merges_the_small_segments_in_a_process_of_its_own(file_archive, tmp_path):
    from whoosh import index as whoosh_index

    manage = file_archive
    manage("rebuild_index", "--noinput", "-v0")
    manage("shell", "-c", SMALL_COMMITS)

    def segments():
        return len(whoosh_index.open_dir(str(tmp_path / "whoosh"))._segments())

    left = segments()
    assert left >= 5  # the rebuild's two, and one for each change (a quote already with that speaker has none)
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "process_index_queue", "--loop", "--interval", "0.2"],
        cwd=ROOT, env=manage.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while segments() >= left and time.monotonic() < deadline and worker.poll() is None:
            time.sleep(0.2)
        merged = segments()
    finally:
        worker.terminate()
        _, err = worker.communicate(timeout=30)
    assert merged < left, err[-3000:]
    assert "Traceback" not in err
    state = json.loads(manage("shell", "-c", COMPARE).stdout.strip().splitlines()[-1])
    assert state["indexed"] == state["published"]
