"""Merging the index's small segments beside the writers (statements/search_merging.py): what
commits do meanwhile is kept, a merge whose segments are gone is dropped, and commits leave
the merging to it."""

import io
import multiprocessing
import re
import time

import pytest
from whoosh import index as whoosh_index
from whoosh.fields import ID, Schema
from whoosh.query import Term

from statements import search_merging
from statements.search_backend import FlushingCodec, StemmedText, WordsText, _ArchiveSegmentWriter
from statements.search_merging import commit_merge_policy, segments_merge

DELETED = [3, 4, 7, 8]
SCHEMA = Schema(id=ID(stored=True, unique=True), words=WordsText(), text=StemmedText(stored=True))


def document(n, text=None):
    words = text or f"quote number{n} about trade {'and tariffs ' * (n % 3)}said the minister"
    return {"id": str(n), "words": words, "text": words}


def commit(ix, add=(), delete=()):
    """One commit as the archive's writers make it (no merge unless too many segments)."""
    writer = _ArchiveSegmentWriter(ix, codec=FlushingCodec(), timeout=10.0, delay=0.02)
    for n in delete:
        writer.delete_by_term("id", str(n))
    for fields in add:
        writer.add_document(**fields)
    writer.commit(mergetype=commit_merge_policy)


def contents(ix):
    """{id: stored text} of every live document, and the ids a search for "trade" finds."""
    with ix.searcher() as searcher:
        documents = {fields["id"]: fields["text"] for fields in searcher.documents()}
        found = sorted(hit["id"] for hit in searcher.search(Term("words", "trade"), limit=None))
        assert len(found) == len(set(found)), "a document found twice"
        assert searcher.doc_count() == len(documents)
    return documents, found


@pytest.fixture
def small_segments(tmp_path):
    """An index of eight 6-document segments, as eight small commits leave them, the first
    two with documents already deleted. Whoosh's rule merges the first five."""
    ix = whoosh_index.create_in(str(tmp_path), SCHEMA)
    for first in range(0, 48, 6):
        commit(ix, add=[document(n) for n in range(first, first + 6)])
    commit(ix, delete=DELETED)
    return ix


def test_commits_keep_their_segments_for_the_merge_until_too_many_pile_up(tmp_path, monkeypatch):
    monkeypatch.setattr(search_merging, "MAX_SEGMENTS", 6)
    ix = whoosh_index.create_in(str(tmp_path), SCHEMA)
    counts = []
    for n in range(8):
        commit(ix, add=[document(n)])
        counts.append(len(ix._segments()))
    assert counts[:6] == [1, 2, 3, 4, 5, 6]  # Whoosh's own commit would have merged at the fifth
    assert counts[6] < 6  # the sixth segment found: merged as Whoosh merges
    assert contents(ix)[1] == [str(n) for n in sorted(map(str, range(8)))]


def test_a_merge_keeps_every_document_and_what_commits_changed_while_it_was_written(small_segments, monkeypatch):
    ix = small_segments
    put_in_place = search_merging._put_in_place

    def commits_meanwhile(index, *args, **kwargs):
        # The first merged segment is written; before it is put in place, writers carry on: an
        # update (delete + add) of documents in merged segments, each after deleted ones in its
        # segment, a removal, and a new document.
        if not calls:
            commit(index, delete=[5, 9, 20, 40], add=[document(5, "quote 5 updated on trade"), document(9, "quote 9 updated on trade")])
            commit(index, add=[document(1000)])
        calls.append(args)
        return put_in_place(index, *args, **kwargs)

    calls = []

    monkeypatch.setattr(search_merging, "_put_in_place", commits_meanwhile)
    merged = segments_merge(ix)

    assert merged >= 5 and len(ix._segments()) < 8 + 2 and not search_merging.merge_pending(ix)
    documents, found = contents(ix)
    live = {str(n) for n in range(48)} - {str(n) for n in [*DELETED, 20, 40]} | {"1000"}
    assert set(documents) == live
    assert documents["5"] == "quote 5 updated on trade" and documents["9"] == "quote 9 updated on trade"
    assert found == sorted(live)
    with ix.searcher() as searcher:
        assert [hit["id"] for hit in searcher.search(Term("words", "number10"))] == ["10"]
        assert not searcher.search(Term("words", "number9"))  # the old copies stay deleted
        assert not searcher.search(Term("words", "number20"))
    assert not [path for path in ix.storage.list() if path.startswith(search_merging.WORKDIR_PREFIX)]


def test_a_merge_whose_segments_were_replaced_meanwhile_is_dropped(small_segments, monkeypatch):
    ix = small_segments
    before = contents(ix)
    put_in_place = search_merging._put_in_place

    def optimized_meanwhile(index, *args, **kwargs):
        writer = _ArchiveSegmentWriter(index, codec=FlushingCodec())
        writer.commit(optimize=True)  # every segment merged into one by someone else
        return put_in_place(index, *args, **kwargs)

    monkeypatch.setattr(search_merging, "_put_in_place", optimized_meanwhile)
    assert segments_merge(ix) == 0
    assert len(ix._segments()) == 1
    assert contents(ix) == before
    files = ix.storage.list()
    assert len([name for name in files if name.endswith(".seg")]) == 1  # the dropped merge left nothing
    assert not [name for name in files if name.startswith(search_merging.WORKDIR_PREFIX)]


def test_nothing_to_merge_and_a_merge_already_running_leave_the_index_alone(tmp_path_factory, small_segments):
    few = whoosh_index.create_in(str(tmp_path_factory.mktemp("few")), SCHEMA)
    for n in range(3):
        commit(few, add=[document(n)])
    assert segments_merge(few) == 0 and len(few._segments()) == 3

    running = small_segments.lock("MERGELOCK")
    assert running.acquire(False)
    try:
        assert segments_merge(small_segments) == 0
        assert len(small_segments._segments()) == 8
    finally:
        running.release()
    assert segments_merge(small_segments) >= 5


def _merge_in(path, merged, done):
    try:
        merged.value = segments_merge(whoosh_index.open_dir(path))
    finally:
        done.set()


def test_writers_carry_on_while_another_process_merges(small_segments, monkeypatch):
    """The merge and the commits really interleave: each commit waits at most for the moment
    the merged segment is put in place, and the index ends as the commits left it."""
    monkeypatch.setattr(search_merging, "MAX_SEGMENTS", 10_000)  # only the merging process merges
    ix = small_segments
    context = multiprocessing.get_context("fork")
    done, merged = context.Event(), context.Value("i", -1)
    merger = context.Process(target=_merge_in, args=(ix.storage.folder, merged, done))
    merger.start()
    updated = 0
    while (not done.is_set() or updated < 5) and updated < 60:  # the merger goes on while commits come
        n = 10 + updated % 38
        commit(ix, delete=[n], add=[document(n, f"quote {n} updated {updated} times on trade")])
        updated += 1
    merger.join(60)
    assert merger.exitcode == 0 and merged.value >= 5
    assert len(ix._segments()) < 8 + updated
    documents, found = contents(ix)
    assert set(documents) == {str(n) for n in range(48)} - {str(n) for n in DELETED}
    assert found == sorted(documents)
    for n in range(10, 10 + min(updated, 38)):
        last = max(u for u in range(updated) if 10 + u % 38 == n)
        assert documents[str(n)] == f"quote {n} updated {last} times on trade"


def test_the_queue_worker_merges_the_segments_commits_left(search_index, client):
    from django.core.management import call_command
    from django.urls import reverse
    from haystack import connections

    from statements.indexing import index_merge_started
    from tests.factories import make_article, make_quote

    backend = connections["default"].get_backend()
    for number in range(6):  # a commit each, as changes applied one by one make them
        words = f"Trade talks number {number}"
        make_quote(make_article(f"Item {number}. “{words},” she said."), words)
        search_index()
    left = len(backend.index._segments())
    assert left >= 6 and backend.merge_pending()

    def found():
        response = client.get(reverse("statements:search"), {"q": "trade"})
        return sorted(quote.text for quote, *_ in response.context["results"])

    before = found()
    output = io.StringIO()
    call_command("process_index_queue", stdout=output)
    assert re.fullmatch(r"applied 0 index change\(s\), merged [1-9]\d* segment\(s\)\n", output.getvalue())
    assert len(backend.index._segments()) < left and not backend.merge_pending()
    assert found() == before and len(before) == 6
    assert index_merge_started() is None  # nothing left to merge: no process started


def _hold_the_merge_lock(path, held, seconds):
    lock = whoosh_index.open_dir(path).lock("MERGELOCK")
    lock.acquire(blocking=True)
    held.set()
    time.sleep(seconds)
    lock.release()


def test_emptying_the_index_waits_for_a_merge_in_progress_and_holds_off_new_ones(small_segments):
    """A rebuild deletes the index's folder: a merge still writing there, or putting its
    segment in place afterwards, would break the new index."""
    ix = small_segments
    with search_merging.merges_held(ix):
        assert segments_merge(ix) == 0 and not search_merging.merge_pending(ix)
    assert search_merging.merge_pending(ix)

    context = multiprocessing.get_context("fork")
    held = context.Event()
    merging = context.Process(target=_hold_the_merge_lock, args=(ix.storage.folder, held, 1.0))
    merging.start()
    assert held.wait(30)
    assert not search_merging.merge_pending(ix)  # the worker starts no second merge meanwhile
    started = time.monotonic()
    with search_merging.merges_held(ix):
        waited = time.monotonic() - started
    merging.join(30)
    assert waited > 0.5
