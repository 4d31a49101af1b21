"""Importing article files (.txt, .html, .json, .jsonl): reading them into records, and
handing them to `services.articles_import`, a batch of them per transaction.

A file either yields records or fails with a message that names it and says why, so one bad
file (or record) never stops the others and never leaves half an article behind.
"""

import codecs
import contextlib
import datetime
import functools
import gc
import json
import multiprocessing
import os
import re
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

MAX_FILE_BYTES = 5 * 1024 * 1024
SUPPORTED_SUFFIXES = (".txt", ".html", ".htm", ".json", ".jsonl")


class ImportFailure(Exception):
    """A file or record that cannot become an article; the message says why."""


@dataclass
class ArticleRecord:
    origin: str
    title: str
    content: str
    content_format: str = "auto"
    url: str | None = None
    source: str | None = None
    published: datetime.date | None = None
    language: str = "en"
    topics: list[str] = field(default_factory=list)


def collect_files(paths):
    """Files to import from paths (folders searched recursively), in a stable order."""
    found = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found.extend(
                sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES)
            )
        else:
            found.append(path)
    return found


def read_records(path):
    """Yield an ArticleRecord, or an ImportFailure for a bad record, per article in the file.
    Raises ImportFailure when the whole file cannot be used."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise ImportFailure(f"unsupported file type {suffix or '(none)'}; expected one of {', '.join(SUPPORTED_SUFFIXES)}")
    text = read_text(path)
    if suffix == ".txt":
        yield record_from_txt(text, origin=path.name)
    elif suffix in (".html", ".htm"):
        yield record_from_html(text, origin=path.name)
    elif suffix == ".json":
        yield from records_from_json(text, origin=path.name)
    else:
        yield from records_from_jsonl(text, origin=path.name)


def read_text(path):
    try:
        size = path.stat().st_size
    except OSError as error:
        raise ImportFailure(f"cannot read: {error.strerror or error}") from None
    if size > MAX_FILE_BYTES:
        raise ImportFailure(f"file is {size / 1024 / 1024:.1f} MB; the limit is {MAX_FILE_BYTES // 1024 // 1024} MB")
    if size == 0:
        raise ImportFailure("file is empty")
    data = path.read_bytes()
    return decode(data)


def decode(data):
    """UTF-8 (with or without BOM) or UTF-16 with a BOM. Anything else is refused rather than
    guessed: a wrong guess would store garbled words as a diplomat's quote."""
    is_utf16 = data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    encoding = "utf-16" if is_utf16 else "utf-8-sig"
    if encoding == "utf-8-sig" and b"\x00" in data:
        raise ImportFailure("binary file (contains NUL bytes), not text")
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as error:
        raise ImportFailure(
            f"not valid UTF-8 (byte 0x{data[error.start]:02x} at position {error.start}); "
            "save the file as UTF-8 and import it again"
        ) from None
    control = sum(1 for ch in text[:4096] if ord(ch) < 32 and ch not in "\t\n\r\f")
    if control > 8:
        raise ImportFailure("binary file (control characters), not text")
    if not text.strip():
        raise ImportFailure("file has no text")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def record_from_txt(text, *, origin):
    """First non-empty line is the title; the rest is the body."""
    stripped = text.strip()
    title, _, body = stripped.partition("\n")
    if not body.strip():
        raise ImportFailure("a .txt article needs a title line and a body below it")
    return ArticleRecord(origin=origin, title=title.strip(), content=body.strip(), content_format="text")


class _TitleFinder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.title = self.heading = None
        self._open = None
        self._buffer = []
        self.body_start = None

    def handle_starttag(self, tag, attrs):
        if tag in ("title", "h1") and self._open is None:
            self._open, self._buffer = tag, []

    def handle_endtag(self, tag):
        if tag == self._open:
            words = " ".join("".join(self._buffer).split())
            if tag == "title" and not self.title:
                self.title = words
            elif tag == "h1" and not self.heading:
                self.heading = words
            self._open = None

    def handle_data(self, data):
        if self._open:
            self._buffer.append(data)


_body_pattern = re.compile(r"<body\b[^>]*>(.*?)(?:</body\s*>|$)", re.IGNORECASE | re.DOTALL)
_first_h1 = re.compile(r"<h1\b[^>]*>.*?</h1\s*>", re.IGNORECASE | re.DOTALL)


def record_from_html(markup, *, origin):
    """Title from <title>, else the first <h1>; the body is sanitized by the import service."""
    finder = _TitleFinder()
    finder.feed(markup)
    finder.close()
    title = finder.title or finder.heading
    if not title:
        raise ImportFailure("no <title> or <h1> to take the title from")
    body_match = _body_pattern.search(markup)
    body = body_match.group(1) if body_match else markup
    if not finder.title or finder.heading == title:
        body = _first_h1.sub("", body, count=1)
    return ArticleRecord(origin=origin, title=title, content=body, content_format="html")


def records_from_json(text, *, origin):
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise ImportFailure(f"invalid JSON: {error.msg} at line {error.lineno} column {error.colno}") from None
    items = data if isinstance(data, list) else [data]
    if not items:
        raise ImportFailure("the JSON list is empty")
    for number, item in enumerate(items, start=1):
        label = f"{origin} record {number}" if isinstance(data, list) else origin
        yield _record_or_failure(item, origin=label)


def records_from_jsonl(text, *, origin):
    any_line = False
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        any_line = True
        label = f"{origin} line {number}"
        try:
            item = json.loads(line)
        except json.JSONDecodeError as error:
            yield ImportFailure(f"{label}: invalid JSON: {error.msg} at column {error.colno}")
            continue
        yield _record_or_failure(item, origin=label)
    if not any_line:
        raise ImportFailure("file has no records")


def _record_or_failure(item, *, origin):
    try:
        return record_from_mapping(item, origin=origin)
    except ImportFailure as failure:
        return ImportFailure(f"{origin}: {failure}")


def record_from_mapping(item, *, origin):
    if not isinstance(item, dict):
        raise ImportFailure("a record must be a JSON object")
    title = _text_field(item, "title")
    body = _text_field(item, "body")
    missing = [name for name, value in (("title", title), ("body", body)) if not value]
    if missing:
        raise ImportFailure(f"missing {' and '.join(missing)}")
    published = item.get("published")
    if published not in (None, ""):
        published = _parse_date(published)
    topics = item.get("topics") or []
    if isinstance(topics, str):
        topics = [t.strip() for t in topics.split(",")]
    if not isinstance(topics, list) or not all(isinstance(t, str) for t in topics):
        raise ImportFailure("topics must be a list of names")
    return ArticleRecord(
        origin=origin,
        title=title,
        content=body,
        url=_text_field(item, "url") or None,
        source=_text_field(item, "source") or None,
        published=published or None,
        language=_text_field(item, "language") or "en",
        topics=[t for t in topics if t.strip()],
    )


def _text_field(item, name):
    value = item.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ImportFailure(f"{name} must be text")
    return value.strip()


def _parse_date(value):
    if not isinstance(value, str):
        raise ImportFailure("published must be an ISO date such as 2021-03-24")
    try:
        return datetime.date.fromisoformat(value[:10])
    except ValueError:
        raise ImportFailure(f"published {value[:40]!r} is not an ISO date such as 2021-03-24") from None


@dataclass
class ImportSummary:
    imported: int = 0
    unchanged: int = 0
    failed: int = 0
    stopped: str = ""  # why the import stopped before the end, if it did

    def __str__(self):
        counts = f"imported {self.imported}, unchanged {self.unchanged}, failed {self.failed}"
        return f"{counts}; stopped: {self.stopped}" if self.stopped else counts


#: Articles written per transaction, together (should that fail, one by one, each in its own
#: savepoint), and the new quotes of the batch linked once.
BATCH_SIZE = 100


def import_files(paths, *, status, on_failure, progress=lambda files: files, procs=None, batch_size=BATCH_SIZE):
    """Import every article in `paths`; `on_failure(message)` hears of each file or record
    that could not be used. `progress` may wrap the file list (a progress bar)."""
    summary = ImportSummary()

    def records():
        for path in progress(collect_files(paths)):
            try:
                for record in read_records(path):
                    if isinstance(record, ImportFailure):
                        summary.failed += 1
                        on_failure(f"{path}: {record}")
                    else:
                        yield path, record
            except ImportFailure as failure:
                summary.failed += 1
                on_failure(f"{path}: {failure}")

    return import_records(
        records(), status=status, on_failure=on_failure, summary=summary, procs=procs, batch_size=batch_size
    )


def import_records(records, *, status, on_failure, summary=None, procs=None, batch_size=BATCH_SIZE):
    """Import (label, ArticleRecord) pairs. Worker processes sanitize the content and find
    the quotes (no database there) while this process writes the articles before them, a batch
    per transaction; another process brings the search index up to date as each batch
    commits (not once per article), and the query planner's statistics are refreshed when the
    archive has grown enough to need them."""
    from .indexing import applied_alongside, deferred
    from .planner_statistics import planner_statistics_refresh
    from .proposing import SpeakerDirectory, TopicMatcher
    from .services import NamedRecords

    summary = summary or ImportSummary()
    directory, topic_matcher = SpeakerDirectory(), TopicMatcher()
    names = NamedRecords()
    if procs is None:
        procs = os.cpu_count() or 1
    # One index update per batch, beside the import. The processes forked inside (the index
    # applier, the extraction workers) inherit the collector's pace.
    with _collected_less_often(), deferred(), applied_alongside():
        prepared = _prepared(records, known=directory.known, procs=min(procs, MAX_PREPARING_PROCS), window=batch_size)
        try:
            for batch in _batches(prepared, batch_size):
                _import_batch(batch, status, on_failure, summary, directory, topic_matcher, names)
        except BrokenProcessPool:
            summary.stopped = (
                "a worker process preparing articles died (out of memory?). The batches written "
                "before it are kept; run the import again to continue (imported articles are skipped)."
            )
    if summary.imported:
        planner_statistics_refresh()
    return summary


MAX_PREPARING_PROCS = 4

#: How far below the importer's the extraction workers set their CPU priority (os.nice). Every
#: batch waits for the importer's own thread; where there are fewer cores than processes, the
#: workers, which prepare the next window ahead of it, yield the CPU to it, and to web
#: requests.
EXTRACTION_NICENESS = 10

#: New objects between two runs of Python's cyclic garbage collector during an import
#: (Python's default is 700).
IMPORT_GC_THRESHOLD = 50_000


@contextlib.contextmanager
def _collected_less_often():
    """An import makes millions of short-lived objects (model instances, key rows, candidates'
    words), nearly all freed by reference counting as soon as they are done with; collecting
    every 700 of them found little and took about 14% of the importer's CPU at 1M quotes.
    What cycles there are wait for the next collection, IMPORT_GC_THRESHOLD objects later at
    most."""
    thresholds = gc.get_threshold()
    gc.set_threshold(IMPORT_GC_THRESHOLD, *thresholds[1:])
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)


def _prepared(records, *, known, procs, window):
    """(label, record, PreparedArticle or PreparationFailed) in input order. With more than one
    process, the next window of records is prepared in workers while the caller writes the one
    before it, so memory holds two windows whatever the size of the import. A worker that dies
    (killed for memory, say) raises BrokenProcessPool rather than leaving its records to wait
    forever."""
    if procs < 2:
        for label, record in records:
            yield label, record, _prepare(record, known)
        return
    context = multiprocessing.get_context("fork")  # the workers inherit the loaded code and speakers
    with ProcessPoolExecutor(
        procs, mp_context=context, initializer=_worker_started, initargs=(known, EXTRACTION_NICENESS)
    ) as pool:
        pending = None
        for window_records in _batches(records, window):
            chunks = _batches([record for _, record in window_records], PREPARED_PER_TASK)
            submitted = [pool.submit(_prepare_in_worker, chunk) for chunk in chunks]
            if pending:
                yield from _zip_prepared(*pending)
            pending = window_records, submitted
        if pending:
            yield from _zip_prepared(*pending)


#: Records a worker prepares per task: fewer round trips than one at a time, and the window
#: still spreads over every worker.
PREPARED_PER_TASK = 4


def _zip_prepared(window_records, submitted):
    # Each task's articles as soon as it is done, in order; the workers have the next window
    # already, and prepare it while these are written.
    prepared = (article for future in submitted for article in future.result())
    for (label, record), article in zip(window_records, prepared, strict=True):
        yield label, record, article


_worker_speakers = None


def _worker_started(known, niceness):
    global _worker_speakers
    _worker_speakers = known
    os.nice(niceness)


def _prepare_in_worker(records):
    return [_prepare(record, _worker_speakers) for record in records]


@dataclass(frozen=True)
class PreparationFailed:
    """A record whose content could not be sanitized or searched for quotes: a bug to report,
    which fails that record alone instead of the import."""

    reason: str


def _prepare(record, known):
    from .services import article_prepare

    try:
        return article_prepare(
            content=record.content, content_format=record.content_format,
            published=record.published, known_speakers=known,
        )
    except Exception as error:  # noqa: BLE001 - any bug in the extractor fails one record, not the import
        return PreparationFailed(f"could not be read for quotes ({type(error).__name__}: {error}); nothing was imported")


def _batches(items, size):
    batch = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _import_batch(batch, status, on_failure, summary, directory, topic_matcher, names):
    """Write a batch in one transaction, its articles together (services.articles_import). Should
    that fail after writing began (the database refuses an article that another process imported
    meanwhile, say), each article is written again alone, in a savepoint, so that it fails alone."""
    from django.core.exceptions import ValidationError
    from django.db import DatabaseError, transaction

    from .services import ArticleDraft
    from .statement_linking import quotes_link

    drafts = [
        ArticleDraft(
            title=record.title, prepared=prepared, source_name=record.source, url=record.url,
            published=record.published, language=record.language, topic_names=tuple(record.topics),
        )
        for _, record, prepared in batch
        if not isinstance(prepared, PreparationFailed)
    ]
    written = functools.partial(_written, status=status, directory=directory, topic_matcher=topic_matcher, names=names)
    try:
        with transaction.atomic():
            # articles_import is atomic: within this transaction, each call is a savepoint that
            # a failure rolls back.
            try:
                outcomes, proposed = written(drafts)
            except (ValidationError, DatabaseError):
                outcomes, proposed = [], []
                for draft in drafts:
                    try:
                        (outcome,), new_quotes = written([draft])
                    except (ValidationError, DatabaseError) as error:
                        outcome, new_quotes = error, []
                    outcomes.append(outcome)
                    proposed += new_quotes
            quotes_link(quotes=proposed)
    except DatabaseError as error:
        names.forget_all()
        directory.forget_created()
        for label, record, _ in batch:
            summary.failed += 1
            on_failure(f"{label}: {record.origin}: not imported, the batch it was in failed: {error}")
        return
    outcomes = iter(outcomes)
    for label, record, prepared in batch:
        outcome = prepared if isinstance(prepared, PreparationFailed) else next(outcomes)
        if isinstance(outcome, PreparationFailed | Exception):
            summary.failed += 1
            on_failure(f"{label}: {record.origin}: {_describe(outcome)}")
        elif outcome[1]:
            summary.imported += 1
        else:
            summary.unchanged += 1


def _written(drafts, *, status, directory, topic_matcher, names):
    """articles_import of these drafts. The outlets, topics and speakers it created are
    remembered (by `names` and `directory`) only if it succeeds: an error rolls them back."""
    from .services import articles_import

    try:
        written = articles_import(
            drafts=drafts, status=status, speaker_directory=directory, topic_matcher=topic_matcher, named=names
        )
    except BaseException:
        names.forget_new()
        directory.forget_created()
        raise
    names.keep_new()
    return written


def _describe(error):
    if isinstance(error, PreparationFailed):
        return error.reason
    messages = getattr(error, "message_dict", None)
    if messages:
        return "; ".join(f"{name}: {' '.join(texts)}" for name, texts in messages.items())
    return " ".join(getattr(error, "messages", [str(error)]))
