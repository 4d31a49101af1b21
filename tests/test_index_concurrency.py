"""Several processes change quotes at once; afterwards the search index equals the database.

Runs real processes against a file database of their own (the index queue and the writer lock
are what is under test, so each process must commit independently)."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

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


def manage(env, *args, check=True):
    result = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    if check:
        assert result.returncode == 0, result.stderr[-3000:]
    return result


def test_concurrent_writers_leave_the_index_equal_to_the_database(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SEARCH_URL"}}
    env.update(ARCHIVE_DATA_DIR=str(tmp_path), DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "load_seed")
    manage(env, "rebuild_index", "--noinput", "-v0")

    workers = [
        subprocess.Popen([sys.executable, "manage.py", "shell", "-c", CHURN.format(seed=seed)], cwd=ROOT, env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for seed in range(4)
    ]
    for worker in workers:
        _, err = worker.communicate(timeout=300)
        assert worker.returncode == 0, err[-3000:]

    manage(env, "process_index_queue")
    state = json.loads(manage(env, "shell", "-c", COMPARE).stdout.strip().splitlines()[-1])
    assert state["indexed"] == state["published"]
    assert state["speaker_names_current"] is True
