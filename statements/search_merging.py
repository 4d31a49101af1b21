"""Merging the Whoosh index's small segments beside the writers instead of inside their commits.

Every commit (an index-queue batch, an import batch) adds a small segment. Stock Whoosh merges
small segments as part of a commit (MERGE_SMALL), holding the index's write lock throughout: the
commit that happens to trigger a merge takes seconds (at 10,000 articles, one 100-article import
batch took 12 s instead of 1), and every other writer waits for it.

Here a commit merges nothing (`commit_merge_policy`). `segments_merge` merges the segments
Whoosh's rule picks, writing the merged segment into a directory of its own with no lock held;
only putting it in place takes the write lock, for milliseconds. Documents that commits deleted
from the merged segments meanwhile (an update deletes the old copy) are deleted from the merged
one too, and a merge whose segments are gone (a rebuild) is dropped. The queue worker
(`process_index_queue`) runs it; where no worker runs, a commit that finds MAX_SEGMENTS segments
merges as Whoosh would.
"""

import contextlib
import logging
import os
import shutil
import tempfile
import types
from bisect import bisect_left
from pathlib import Path

from whoosh.filedb.filestore import FileStorage
from whoosh.index import TOC, clean_files
from whoosh.reading import SegmentReader
from whoosh.util import fib
from whoosh.util.filelock import try_for
from whoosh.writing import MERGE_SMALL

from .search_backend import FlushingCodec, _ArchiveSegmentWriter

log = logging.getLogger(__name__)

# Segments at which a commit merges by itself (no worker is merging).
MAX_SEGMENTS = 32
# A merge's directory inside the index's: Whoosh's file clean-up matches only its own names.
WORKDIR_PREFIX = "merging."


def segments_to_merge(segments):
    """The segments Whoosh's MERGE_SMALL would merge: the smallest, up to the first count of
    them (more than four) holding fewer documents than the Fibonacci number of their count plus
    four; none when there is no such point."""
    ordered = sorted(segments, key=lambda segment: segment.doc_count_all())
    documents = 0
    for position, segment in enumerate(ordered):
        documents += segment.doc_count_all()
        if position > 3 and documents < fib(position + 5):
            return ordered[: position + 1]
    return []


def commit_merge_policy(writer, segments):
    """A commit's merge policy (Whoosh's `mergetype`): keep every segment, since segments_merge
    merges beside the writers, unless MAX_SEGMENTS have piled up: then merge as Whoosh does."""
    if len(segments) < MAX_SEGMENTS:
        return list(segments)
    return MERGE_SMALL(writer, segments)


def merge_pending(index):
    """Whether segments_merge would merge something, with no other process merging."""
    merging = index.lock("MERGELOCK")
    if not merging.acquire(False):
        return False
    merging.release()
    return len(segments_to_merge(index._segments())) > 1


@contextlib.contextmanager
def merges_held(index):
    """No merge while the block runs (a rebuild deleting and making again the index's folder):
    waits for a merge in progress to end, and for any writer. A merge writing into a deleted
    folder, or putting its segment into the new index, would break it."""
    merging, writing = index.lock("MERGELOCK"), index.lock("WRITELOCK")
    merging.acquire(blocking=True)
    try:
        writing.acquire(blocking=True)
        try:
            yield
        finally:
            writing.release()
    finally:
        merging.release()


def segments_merge(index, *, lock_timeout=60.0):
    """Merge the segments segments_to_merge picks into one, beside any writer (see the module's
    docstring), until it picks none. One merging process at a time; the number of segments
    merged (0 when there was nothing to merge, another process was merging, or the segments
    were replaced meanwhile)."""
    merging = index.lock("MERGELOCK")
    if not merging.acquire(False):
        return 0
    try:
        folder = Path(index.storage.folder)
        for leftover in folder.glob(WORKDIR_PREFIX + "*"):  # a merge that was killed
            shutil.rmtree(leftover, ignore_errors=True)
        merged = 0
        while True:  # until the rule picks nothing: each merge leaves fewer segments
            snapshot = _snapshot(index, lock_timeout)
            chosen = segments_to_merge(snapshot.segments) if snapshot else []
            if len(chosen) < 2:
                return merged
            workdir = tempfile.mkdtemp(prefix=WORKDIR_PREFIX, dir=folder)
            try:
                segment, origins = _merged_segment(index, snapshot, chosen, FileStorage(workdir))
                if not _put_in_place(index, segment, origins, Path(workdir), lock_timeout):
                    return merged
            except FileNotFoundError:  # a segment merged away meanwhile (an optimize)
                log.info("Search index merge dropped: its segments changed.", exc_info=True)
                return merged
            finally:
                shutil.rmtree(workdir, ignore_errors=True)
            merged += len(chosen)
    finally:
        merging.release()


def _snapshot(index, lock_timeout):
    """The index's TOC, read under the write lock: a commit deletes the TOC it replaces, which
    an unlocked read may be about to open. None when the lock stays taken."""
    lock = index.lock("WRITELOCK")
    if not try_for(lock.acquire, timeout=lock_timeout, delay=0.02):
        return None
    try:
        return index._read_toc()
    finally:
        lock.release()


class _SegmentMerger(_ArchiveSegmentWriter):
    """The archive's segment writer, writing into `storage` (a directory of its own) the
    segments it is given from `index`, as of `snapshot`: no lock taken, nothing committed."""

    def __init__(self, index, snapshot, storage):
        target = types.SimpleNamespace(storage=storage, indexname=index.indexname, _read_toc=lambda: snapshot)
        super().__init__(target, _lk=False, codec=FlushingCodec())
        self.source_storage = index.storage


def _merged_segment(index, snapshot, chosen, storage):
    """The merged segment, written in `storage`, and for each merged segment's id, the number
    its first document has in the merged one and its documents deleted as of the snapshot
    (which the merge left out), in order."""
    writer = _SegmentMerger(index, snapshot, storage)
    origins = {}
    try:
        for segment in chosen:
            origins[segment.segment_id()] = (writer.docnum, sorted(segment.deleted_docs()))
            reader = SegmentReader(index.storage, snapshot.schema, segment)
            try:
                writer.add_reader(reader)
            finally:
                reader.close()
        merged = writer._finalize_segment()
    except BaseException:
        writer.cancel()
        raise
    writer._finish()
    return merged, origins


def _put_in_place(index, merged, origins, workdir, lock_timeout):
    """Under the write lock: replace the merged segments by `merged` in a new generation of the
    index, with the deletions commits made meanwhile. False when they are no longer there."""
    lock = index.lock("WRITELOCK")
    if not try_for(lock.acquire, timeout=lock_timeout, delay=0.02):
        log.warning("Search index merge dropped: the index stayed locked for %s s.", lock_timeout)
        return False
    try:
        current = index._read_toc()
        segments = {segment.segment_id(): segment for segment in current.segments}
        if not origins.keys() <= segments.keys():
            return False
        for segment_id, (first, deleted_then) in origins.items():
            for docnum in set(segments[segment_id].deleted_docs()).difference(deleted_then):
                # Numbered in the merged segment past the documents the merge left out.
                merged.delete_document(first + docnum - bisect_left(deleted_then, docnum))
        for path in workdir.glob(merged.segment_id() + ".*"):
            os.replace(path, Path(index.storage.folder) / path.name)
        kept = [segment for segment in current.segments if segment.segment_id() not in origins]
        generation = current.generation + 1
        TOC(current.schema, [*kept, merged], generation).write(index.storage, index.indexname)
        clean_files(index.storage, index.indexname, generation, [*kept, merged])
        return True
    finally:
        lock.release()
