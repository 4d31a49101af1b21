"""Keeping the search index in step with the database.

Every change to what search shows (a quote approved, an article published, a speaker renamed,
a topic attached, anything deleted) writes an IndexQueueEntry in the same transaction, through
haystack's signal-processor hook (`QueueSignalProcessor`, chosen in settings). One writer at a
time, holding a file lock, applies the queue in batches: an entry is removed only after its
change reached the index, so an index outage or a locked index loses nothing. Applying an entry
asks the database what is true *now* (in the published queryset: index it; not: remove it), so
order and repetition do not matter.

The same queue keeps the stored counts of public quotes (Speaker and Topic
`published_quote_count`, SpeakerTopicCount, MonthlyQuoteCount) in step: each batch first
recounts the speakers and topics of its public quotes, plus those a change took a quote away
from (its old speaker, a removed topic, a deleted or withdrawn quote's, the quotes of an
unpublished article), which the handlers queue by themselves because the database no longer
knows them.

After each commit the queue is applied at once when no other process is writing; otherwise the
`process_index_queue --loop` worker (started by `make run`) or the next change picks it up. An
import applies it alongside, in a forked process, batch by batch (`applied_alongside`).
"""

import contextlib
import fcntl
import functools
import itertools
import logging
import multiprocessing
import threading
import time
from collections import defaultdict
from signal import SIG_IGN, SIGINT
from signal import signal as set_signal_handler

from django.conf import settings
from django.db import OperationalError, transaction
from django.db import connection as db_connection
from django.db.models import Max
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from haystack import connections
from haystack.signals import BaseSignalProcessor

from .models import Article, IndexQueueEntry, Quote, Source, Speaker, Topic
from .search_indexes import INDEXED_MODELS
from .services import quote_counts_refresh

log = logging.getLogger(__name__)
LABELS = {model: model._meta.label_lower for model in INDEXED_MODELS}
BATCH_SIZE = 1000


def enqueue(model, ids):
    ids = list(ids)
    if not ids:
        return
    label = model._meta.label_lower
    IndexQueueEntry.objects.bulk_create(
        [IndexQueueEntry(model=label, object_id=pk) for pk in ids], batch_size=BATCH_SIZE
    )
    transaction.on_commit(apply_soon)


def enqueue_article_with_quotes(article_ids):
    article_ids = list(article_ids)
    enqueue(Article, article_ids)
    enqueue(Quote, Quote.objects.filter(article_id__in=article_ids).values_list("pk", flat=True))


class QueueSignalProcessor(BaseSignalProcessor):
    """Queues index changes instead of writing the index from the request (haystack's
    RealtimeSignalProcessor would write from every web worker at once)."""

    def signal_handlers(self):
        return [
            (post_save, self.quote_changed, Quote),
            (post_delete, self.quote_changed, Quote),
            (post_save, self.article_changed, Article),
            (post_delete, self.article_deleted, Article),
            (post_save, self.speaker_changed, Speaker),
            (post_save, self.topic_changed, Topic),
            (post_save, self.source_changed, Source),
            (m2m_changed, self.topics_changed, Quote.topics.through),
            (m2m_changed, self.topics_changed, Article.topics.through),
            # Counts only: what a quote leaves behind.
            (pre_save, self.quote_saving, Quote),
            (pre_save, self.article_saving, Article),
            (pre_delete, self.quote_deleting, Quote),
            (m2m_changed, self.quote_topics_counted, Quote.topics.through),
        ]

    def setup(self):
        for signal, handler, sender in self.signal_handlers():
            signal.connect(handler, sender=sender)

    def teardown(self):
        for signal, handler, sender in self.signal_handlers():
            signal.disconnect(handler, sender=sender)

    def quote_changed(self, sender, instance, **kwargs):
        enqueue(Quote, [instance.pk])

    def article_changed(self, sender, instance, created=False, **kwargs):
        if created:
            enqueue(Article, [instance.pk])
        else:
            # Its quotes are public only while it is published, and carry its title and date.
            enqueue_article_with_quotes([instance.pk])

    def article_deleted(self, sender, instance, **kwargs):
        enqueue(Article, [instance.pk])  # its quotes send their own post_delete

    def speaker_changed(self, sender, instance, created=False, **kwargs):
        if not created:
            enqueue(Quote, instance.quotes.values_list("pk", flat=True))

    def topic_changed(self, sender, instance, created=False, **kwargs):
        if not created:
            enqueue(Quote, instance.quotes.values_list("pk", flat=True))
            enqueue(Article, instance.articles.values_list("pk", flat=True))

    def source_changed(self, sender, instance, created=False, **kwargs):
        if not created:
            enqueue_article_with_quotes(instance.articles.values_list("pk", flat=True))

    def topics_changed(self, sender, instance, action, reverse, model, pk_set, **kwargs):
        if action not in {"post_add", "post_remove", "post_clear"}:
            return
        if not reverse:
            enqueue(type(instance), [instance.pk])
        elif pk_set:
            enqueue(model, pk_set)
        elif action == "post_clear":
            owner = Quote if sender is Quote.topics.through else Article
            enqueue(owner, owner.objects.filter(topics=instance).values_list("pk", flat=True))

    def quote_saving(self, sender, instance, update_fields=None, **kwargs):
        """A quote that changes speaker, or stops being public (no longer approved, or moved
        to another article), leaves counts behind that its new state does not name."""
        moved = {"speaker", "status", "article"}
        if instance._state.adding or (update_fields is not None and not moved & set(update_fields)):
            return
        previous = Quote.objects.filter(pk=instance.pk).values("speaker_id", "status", "article_id").first()
        if previous is None:
            return
        if previous["status"] == Quote.Status.APPROVED and (
            instance.status != Quote.Status.APPROVED or instance.article_id != previous["article_id"]
        ):
            enqueue(Speaker, [previous["speaker_id"]])
            enqueue(Topic, instance.topics.values_list("pk", flat=True))
        elif previous["speaker_id"] != instance.speaker_id:
            enqueue(Speaker, [previous["speaker_id"]])

    def article_saving(self, sender, instance, update_fields=None, **kwargs):
        """Likewise for the approved quotes of an article that stops being published."""
        if instance._state.adding or instance.is_published:
            return
        if not Article.objects.published().filter(pk=instance.pk).exists():
            return
        approved = Quote.objects.filter(article_id=instance.pk, status=Quote.Status.APPROVED)
        enqueue(Speaker, set(approved.values_list("speaker_id", flat=True)))
        enqueue(Topic, set(Quote.topics.through.objects.filter(quote__in=approved).values_list("topic_id", flat=True)))

    def quote_deleting(self, sender, instance, **kwargs):
        enqueue(Speaker, [instance.speaker_id])
        enqueue(Topic, instance.topics.values_list("pk", flat=True))

    def quote_topics_counted(self, sender, instance, action, reverse, pk_set, **kwargs):
        if reverse:  # topic.quotes.add/remove/clear
            if action in {"post_add", "post_remove", "post_clear"}:
                enqueue(Topic, [instance.pk])
        elif action in {"post_add", "post_remove"}:
            enqueue(Topic, pk_set or ())
        elif action == "pre_clear":
            enqueue(Topic, instance.topics.values_list("pk", flat=True))


@contextlib.contextmanager
def writer_lock(*, blocking=True):
    """Held by the one process applying the queue; yields whether it was acquired."""
    path = settings.ARCHIVE_DATA_DIR / "index-queue.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def index_queue_apply(*, batch_size=BATCH_SIZE, blocking=True):
    """Apply queued changes to the index until the queue is empty; the number applied.
    Returns 0 without waiting when another process holds the writer lock and not `blocking`."""
    with writer_lock(blocking=blocking) as acquired:
        return _queue_applied(batch_size=batch_size) if acquired else 0


def _queue_applied(*, batch_size=BATCH_SIZE, kept=None, created=None):
    """index_queue_apply's work, the writer lock held. With `kept` (a list), applied entries
    stay queued, their ids added to it, and those after its last one are read: the caller
    takes them off the queue later (_apply_until). With `created` (a CreatedSinceLocked), the
    objects it finds new are added to the index without a search for an old copy."""
    applied = 0
    done = []  # applied to the index, not yet taken off the queue
    last = kept[-1] if kept else 0
    while True:
        entries = list(IndexQueueEntry.objects.filter(pk__gt=last).order_by("pk")[:batch_size])
        if not entries:
            if kept is not None:
                return applied
            _dequeue(done)
            done = []
            # PostgreSQL numbers rows as they are inserted, not as they commit: a change that
            # committed behind the cursor is read again from the start.
            if last and IndexQueueEntry.objects.exists():
                last = 0
                continue
            return applied
        ids_by_label = defaultdict(set)
        for entry in entries:
            ids_by_label[entry.model].add(entry.object_id)
        # Before the index: the counts are right even while the index is down.
        quote_counts_refresh(
            quote_ids=ids_by_label[LABELS[Quote]],
            speaker_ids=ids_by_label[Speaker._meta.label_lower],
            topic_ids=ids_by_label[Topic._meta.label_lower],
        )
        with getattr(connections["default"].get_backend(), "one_commit", contextlib.nullcontext)():
            for model, label in LABELS.items():
                if ids_by_label.get(label):
                    new = created.taken(model, ids_by_label[label]) if created else frozenset()
                    _apply(model, ids_by_label[label], new=new)
        pks = [entry.pk for entry in entries]
        last = pks[-1]
        applied += len(pks)
        if kept is not None:
            kept += pks
            continue
        done += pks
        # While another process writes, SQLite's one write lock is its: the entries applied
        # here leave the queue later, and the next changes are applied as soon as they commit.
        if _dequeue(done, wait=False):
            done = []


class CreatedSinceLocked:
    """Which queued objects cannot be in the search index yet, for a process holding the
    writer lock for a while (the applier beside an import): those created after it took the
    lock (primary keys above the highest there was then, in the table or in the queue) and
    above every one it has applied since. Whoever wrote the index before held the lock, and
    had to see an object committed to index it; while the lock is held, only this process
    writes. An object deleted before then is below the highest queued, its removal still to
    apply. A queued change applied twice stays harmless: a process that applies it again
    takes the lock afresh, so finds it old, and deletes the earlier copy first."""

    def __init__(self):
        # The tables first: a deletion that commits in between removes its row and queues its
        # removal at once, so the queue, read after, holds its key.
        in_tables = {model: model._base_manager.aggregate(highest=Max("pk"))["highest"] or 0 for model in LABELS}
        queued = dict(IndexQueueEntry.objects.order_by().values_list("model").annotate(highest=Max("object_id")))
        self.highest = {model: max(in_tables[model], queued.get(label, 0)) for model, label in LABELS.items()}

    def taken(self, model, ids):
        """The ids among `ids` (about to be applied) that are new."""
        highest = self.highest[model]
        self.highest[model] = max(highest, *ids)
        return {pk for pk in ids if pk > highest}


def _dequeue(pks, *, wait=True):
    """Take applied entries off the queue; whether it did. Without `wait`, on SQLite, only if
    no other process is writing to the database at this moment (elsewhere rows are locked one
    by one, and the entries are taken off at once)."""
    if not pks:
        return True
    try:
        with _busy_timeout(None if wait else 0), transaction.atomic():
            for start in range(0, len(pks), BATCH_SIZE):
                IndexQueueEntry.objects.filter(pk__in=pks[start : start + BATCH_SIZE]).delete()
    except OperationalError:
        if wait:
            raise
        return False
    return True


def _busy_timeout(milliseconds):
    """How long SQLite waits for another writer within this block (None: as configured).
    Other databases lock rows, not the whole database, so nothing changes there."""
    return _sqlite_pragma("busy_timeout", milliseconds)


@contextlib.contextmanager
def _sqlite_pragma(name, value):
    """Within this block, this connection's integer PRAGMA `name` is `value` (None: as it
    was); on other databases, nothing changes."""
    if value is None or db_connection.vendor != "sqlite":
        yield
        return
    with db_connection.cursor() as cursor:
        cursor.execute(f"PRAGMA {name}")
        (previous,) = cursor.fetchone()
        cursor.execute(f"PRAGMA {name} = {int(value)}")
    try:
        yield
    finally:
        with db_connection.cursor() as cursor:
            cursor.execute(f"PRAGMA {name} = {int(previous)}")


def _apply(model, ids, *, new=frozenset()):
    """Index the objects of `ids` that the index should show, and remove the others; those
    in `new` are known not to be in the index yet (CreatedSinceLocked): added without a
    search for an old copy, or, when not to be shown (an imported quote awaiting review),
    left alone."""
    connection = connections["default"]
    index = connection.get_unified_index().get_index(model)
    backend = connection.get_backend()
    present = list(index.index_queryset().filter(pk__in=ids))
    gone = sorted(ids - {obj.pk for obj in present} - new)  # a new object is not there to remove
    if new and hasattr(backend, "add_new"):
        backend.add_new(index, [obj for obj in present if obj.pk in new])
        present = [obj for obj in present if obj.pk not in new]
    if present:
        backend.update(index, present)
    identifiers = [f"{LABELS[model]}.{pk}" for pk in gone]
    if hasattr(backend, "remove_identifiers"):
        backend.remove_identifiers(identifiers)
    else:
        for identifier in identifiers:
            backend.remove(identifier)


def index_rebuild(*, procs=None, part_size=5000):
    """Empty the Whoosh index and index every published quote and article again in bulk (one
    writer per core; other engines rebuild through haystack's own command), holding the writer lock so the queue waits; queued
    changes are applied afterwards (applying one twice is harmless).
    {model label: {"documents", "seconds", "per_s"}}."""
    connection = connections["default"]
    backend = connection.get_backend()
    unified = connection.get_unified_index()
    figures = {}
    with writer_lock():
        backend.clear()
        for model in INDEXED_MODELS:
            index = unified.get_index(model)
            started = time.perf_counter()
            added = backend.bulk_index(index, key_ranges(index.index_queryset(), size=part_size), procs=procs)
            seconds = time.perf_counter() - started
            figures[LABELS[model]] = {
                "documents": added, "seconds": round(seconds, 1), "per_s": round(added / seconds, 1) if seconds else 0,
            }
    index_queue_apply()
    return figures


def key_ranges(queryset, *, size):
    """`queryset` cut into parts of about `size` rows by primary key: callables, each giving
    its part's rows in key order. A writer process calls them, so each reads its own rows."""
    queryset = queryset.order_by("pk")
    bounds = []
    low = queryset.values_list("pk", flat=True).first()
    while low is not None:
        bounds.append(low)
        low = queryset.filter(pk__gt=low).values_list("pk", flat=True)[size - 1 : size].first()
    parts = [queryset.filter(pk__gte=low, pk__lt=high) for low, high in itertools.pairwise(bounds)]
    if bounds:
        parts.append(queryset.filter(pk__gte=bounds[-1]))
    return [functools.partial(in_key_order, part) for part in parts]


def in_key_order(queryset, size=2000):
    """Every row of `queryset` by primary key, `size` at a time: the keyset walk keeps each
    query cheap at any depth, and the prefetches of a batch in one query each."""
    last = None
    while True:
        batch = list((queryset if last is None else queryset.filter(pk__gt=last)).order_by("pk")[:size])
        if not batch:
            return
        yield from batch
        last = batch[-1].pk


def index_merge():
    """Merge the search index's small segments, beside any writer (statements.search_merging;
    other engines merge by themselves); the number of segments merged."""
    merge = getattr(connections["default"].get_backend(), "segments_merge", None)
    return merge() if merge else 0


def index_merge_started(running=None):
    """index_merge in a forked process when the index has segments to merge and `running` (the
    process this returned last time, if any) has finished: the worker keeps applying the queue
    meanwhile. The merging process, or None."""
    from django import db

    from .search_backend import forking_shares_a_database

    if running is not None and running.is_alive():
        return running
    if forking_shares_a_database():  # closing the connection would end the transaction
        return None
    pending = getattr(connections["default"].get_backend(), "merge_pending", None)
    if pending is None or not pending():
        return None
    db.connections.close_all()  # the child does not use them; the parent reconnects
    process = multiprocessing.get_context("fork").Process(target=_merge_quietly, name="index merge", daemon=True)
    process.start()
    return process


def _merge_quietly():
    set_signal_handler(SIGINT, SIG_IGN)  # the worker's Ctrl-C stops it; a merge cut short is dropped
    try:
        index_merge()
    except Exception:
        log.warning("Search index merge failed; the segments stay as they were.", exc_info=True)


def search_index_open():
    """Open this process's searcher now (and, on Whoosh, build its per-segment arrays), so a
    web worker does it while booting rather than during its first search. Never fatal."""
    backend = connections["default"].get_backend()
    if not hasattr(backend, "searcher"):
        return
    try:
        backend.searcher()
    except Exception:
        log.warning("The search index could not be opened at start-up; searches will retry.", exc_info=True)


_deferral = threading.local()


@contextlib.contextmanager
def deferred():
    """Within this block (a bulk import), commits leave their changes queued; the queue is
    applied once at the end, instead of one index commit per article."""
    _deferral.depth = getattr(_deferral, "depth", 0) + 1
    try:
        yield
    finally:
        _deferral.depth -= 1
    if not _deferral.depth:
        apply_soon()


@contextlib.contextmanager
def applied_alongside(*, pause=0.05):
    """Within this block (an import, committing a batch of articles at a time), a forked
    process applies the queue as each batch commits, on another core while this one writes
    the next batch: the articles become searchable during a long import, and the index is up
    to date soon after its last batch instead of starting on all of it then. Does nothing
    where the queue is left to the worker (SEARCH_INDEX_APPLY_ON_COMMIT off) or where a forked
    process would not see this one's commits (inside a transaction, an in-memory database)."""
    from django import db

    from .search_backend import forking_shares_a_database

    if not getattr(settings, "SEARCH_INDEX_APPLY_ON_COMMIT", True) or forking_shares_a_database():
        yield
        return
    db.connections.close_all()  # shared connections would be corrupted: the applier opens its own
    context = multiprocessing.get_context("fork")
    stop = context.Event()
    applier = context.Process(target=_apply_until, args=(stop, pause), name="index applier", daemon=True)
    applier.start()
    try:
        with _checkpoints_left_to_applier():
            yield
    finally:
        stop.set()
        applier.join()


#: How far (in pages) the write-ahead log may grow during an import before the importer's own
#: commit copies it into the database file (SQLite's default is 1,000 pages, about 4 MB). A
#: batch of 100 articles writes about 10,000 pages at 1M quotes.
IMPORT_WAL_CHECKPOINT_PAGES = 25_000


def _checkpoints_left_to_applier():
    """On SQLite, within this block, this connection's commits leave most of the copying of the
    write-ahead log into the database file (a checkpoint) to the applier, which does it after
    each batch it applies: every import batch grows the log past SQLite's 1,000 pages, so the
    commit that did would otherwise copy the whole batch, on the importer's thread, before the
    next batch could start. A checkpoint changes nothing a connection has cached, unlike a
    write. The importer still checkpoints once the log passes IMPORT_WAL_CHECKPOINT_PAGES:
    SQLite starts the log over only when a write begins with all of it copied, which the
    applier's checkpoints (a batch behind) never achieve alone; and should the applier stop,
    the log stays bounded."""
    return _sqlite_pragma("wal_autocheckpoint", IMPORT_WAL_CHECKPOINT_PAGES)


def _apply_until(stop, pause):
    """Apply the queue until told to stop, then once more for the last batch, holding the
    writer lock throughout, and checkpoint SQLite's log after each round (see
    _checkpoints_left_to_applier). What it applied leaves the queue at the end: a write to the
    database from here would empty the importer's page cache (SQLite drops a connection's
    cache whenever another connection has written), which at a million quotes made the
    import's key writes read their index pages again batch after batch."""
    # At the importer's own priority, unlike the extraction workers: behind, it would index
    # most batches only after the import's last commit, on one core while the other idled
    # (at a million quotes an import of 500 articles took a sixth longer).
    # Ctrl-C is the importer's to handle: it stops this process when it stops itself, after
    # the batches it committed are applied.
    set_signal_handler(SIGINT, SIG_IGN)
    kept, created, checkpoint_failed = [], None, False
    with writer_lock():
        while True:
            stopping = stop.is_set()
            try:
                created = created or CreatedSinceLocked()
                _queue_applied(kept=kept, created=created)
            except Exception:
                # The rest stays queued: the importer's own apply at the end, or the worker, retries.
                log.warning("Search index update deferred; the queue keeps the change.", exc_info=True)
                break
            try:
                _wal_checkpoint()
            except Exception:
                # The importer's own commits still checkpoint (IMPORT_WAL_CHECKPOINT_PAGES). Told
                # once: the next round, a twentieth of a second later, would likely fail alike.
                if not checkpoint_failed:
                    log.warning("Could not checkpoint the database's write-ahead log; the index updates go on.", exc_info=True)
                checkpoint_failed = True
            if stopping:
                break
            stop.wait(pause)
        try:
            _dequeue(kept)
        except Exception:
            log.warning("Applied index changes stay queued; applying them again is harmless.", exc_info=True)


def _wal_checkpoint():
    """Copy what SQLite's write-ahead log holds into the database file, as far as no reader
    needs it, without waiting (see _checkpoints_left_to_applier). Nothing to copy costs a
    look at the log's header."""
    if db_connection.vendor == "sqlite":
        with db_connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(PASSIVE)")


def apply_soon():
    """After a commit: apply the queue now if no one else is writing. A failure leaves the
    entries queued for the worker; the request that made the change never fails for it."""
    if not getattr(settings, "SEARCH_INDEX_APPLY_ON_COMMIT", True) or getattr(_deferral, "depth", 0):
        return
    try:
        index_queue_apply(blocking=False)
    except Exception:
        log.warning("Search index update deferred; the queue keeps the change.", exc_info=True)
