import json

import pytest
from django.core.management import call_command

from statements.models import Article

pytestmark = pytest.mark.django_db


def run_import(*paths, publish=False):
    """Run import_articles; (exit status, stdout, stderr)."""
    from io import StringIO

    out, err = StringIO(), StringIO()
    args = [str(p) for p in paths] + (["--publish"] if publish else [])
    try:
        call_command("import_articles", *args, stdout=out, stderr=err)
        status = 0
    except SystemExit as exit_:
        status = exit_.code
    return status, out.getvalue(), err.getvalue()


def write(path, content, encoding="utf-8"):
    path.write_bytes(content if isinstance(content, bytes) else content.encode(encoding))
    return path


def test_txt_first_line_is_title(tmp_path):
    write(tmp_path / "a.txt", "\n\nNATO ministers meet\n\n“We are united,” the secretary said.\n\nMore text.")
    status, out, err = run_import(tmp_path)
    article = Article.objects.get()
    assert (status, out.strip(), err) == (0, "imported 1, unchanged 0, failed 0", "")
    assert article.title == "NATO ministers meet"
    assert article.text == "“We are united,” the secretary said.\n\nMore text."
    assert article.status == Article.Status.REVIEW


def test_html_title_and_sanitized_body(tmp_path):
    write(
        tmp_path / "b.html",
        "<html><head><title>Talks in Alaska</title><script>evil()</script></head>"
        "<body><h1>Talks in Alaska</h1><p onclick='x()'>The talks were <b>tense</b>.</p>"
        "<iframe src='https://evil'></iframe><script>alert(1)</script></body></html>",
    )
    status, out, _ = run_import(tmp_path, publish=True)
    article = Article.objects.get()
    assert status == 0
    assert article.title == "Talks in Alaska"
    assert article.body == "<p>The talks were <b>tense</b>.</p>"
    assert article.text == "The talks were tense."
    assert article.status == Article.Status.PUBLISHED


def test_html_title_from_first_h1_when_no_title(tmp_path):
    write(tmp_path / "c.htm", "<body><h1>Only a heading</h1><p>Body text.</p></body>")
    run_import(tmp_path / "c.htm")
    article = Article.objects.get()
    assert (article.title, article.text) == ("Only a heading", "Body text.")


def test_json_object_list_and_jsonl(tmp_path):
    write(tmp_path / "one.json", json.dumps({"title": "One", "body": "Body one.", "url": "https://ex.org/1", "source": "Reuters", "published": "2021-03-24", "topics": ["China", "NATO"]}))
    write(tmp_path / "list.json", json.dumps([{"title": "Two", "body": "Body two."}, {"title": "Three", "body": "Body three.", "language": "fr"}]))
    write(tmp_path / "more.jsonl", '{"title": "Four", "body": "Body four."}\n\n{"title": "Five", "body": "Body five."}\n')
    status, out, _ = run_import(tmp_path)
    assert (status, out.strip()) == (0, "imported 5, unchanged 0, failed 0")
    one = Article.objects.get(title="One")
    assert one.source.name == "Reuters" and str(one.published) == "2021-03-24"
    assert sorted(one.topics.values_list("name", flat=True)) == ["China", "NATO"]
    assert Article.objects.get(title="Three").language == "fr"


def test_importing_again_changes_nothing(tmp_path):
    write(tmp_path / "a.txt", "Title\n\nSome words.")
    write(tmp_path / "b.json", json.dumps({"title": "B", "body": "Other words.", "url": "https://ex.org/b"}))
    run_import(tmp_path)
    # Same url with edited text, and the same text with another title: both already there.
    write(tmp_path / "b.json", json.dumps({"title": "B again", "body": "Edited words.", "url": "https://ex.org/b"}))
    write(tmp_path / "a.txt", "Another title\n\nSome   words.")
    status, out, _ = run_import(tmp_path)
    assert (status, out.strip()) == (0, "imported 0, unchanged 2, failed 0")
    assert Article.objects.count() == 2


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("latin1.txt", "Title\n\nCaf\xe9 cr\xe8me".encode("latin-1"), "not valid UTF-8 (byte 0xe9"),
        ("mixed.txt", "Title\n\nGood “UTF-8” then ".encode() + "caf\xe9".encode("cp1252"), "not valid UTF-8"),
        ("binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00", "binary file"),
        ("empty.txt", b"", "file is empty"),
        ("blank.txt", b"  \n\n  ", "file has no text"),
        ("title-only.txt", b"Just a title", "needs a title line and a body"),
        ("bad.json", b'{"title": "x", "body": ', "invalid JSON"),
        ("no-title.html", b"<p>No title anywhere</p>", "no <title> or <h1>"),
        ("notes.csv", b"a,b\n1,2", "unsupported file type .csv"),
    ],
)
def test_each_broken_file_fails_alone_with_its_reason(tmp_path, name, content, reason):
    write(tmp_path / "good.txt", "Good article\n\nIt imports.")
    write(tmp_path / name, content)
    status, out, err = run_import(tmp_path / "good.txt", tmp_path / name)
    assert status == 1
    assert out.strip() == "imported 1, unchanged 0, failed 1"
    assert name in err and reason in err
    assert list(Article.objects.values_list("title", flat=True)) == ["Good article"]


def test_oversized_file_is_refused(tmp_path):
    write(tmp_path / "huge.txt", "Title\n\n" + "word " * (1100 * 1024))
    status, _, err = run_import(tmp_path / "huge.txt")
    assert status == 1 and "limit is 5 MB" in err
    assert not Article.objects.exists()


def test_bad_records_fail_alone_and_name_the_record(tmp_path):
    write(tmp_path / "records.json", json.dumps([
        {"title": "Fine", "body": "A fine body."},
        {"title": "No body"},
        {"body": "No title"},
        {"title": "Bad date", "body": "Body with a bad date.", "published": "24/03/2021"},
        "not an object",
    ]))
    write(tmp_path / "lines.jsonl", '{"title": "Line ok", "body": "Line body."}\n{broken\n')
    status, out, err = run_import(tmp_path)
    assert status == 1
    assert out.strip() == "imported 2, unchanged 0, failed 5"
    assert "records.json record 2: missing body" in err
    assert "records.json record 3: missing title" in err
    assert "records.json record 4: published '24/03/2021' is not an ISO date" in err
    assert "records.json record 5: a record must be a JSON object" in err
    assert "lines.jsonl line 2: invalid JSON" in err
    assert sorted(Article.objects.values_list("title", flat=True)) == ["Fine", "Line ok"]


def test_a_failing_record_leaves_nothing_half_written(tmp_path, monkeypatch):
    """If saving fails after the article row is written (topics here), the article is rolled back."""
    from statements import services

    def broken_topic(**kwargs):
        raise services.ValidationError("topic store is down")

    monkeypatch.setattr(services, "topic_get_or_create", broken_topic)
    write(tmp_path / "a.json", json.dumps({"title": "T", "body": "Body.", "topics": ["China"]}))
    status, _, err = run_import(tmp_path)
    assert status == 1 and "topic store is down" in err
    assert not Article.objects.exists()


def test_utf16_and_bom_files_import(tmp_path):
    write(tmp_path / "u16.txt", "Título\n\n“Olá,” disse ele.".encode("utf-16"))
    write(tmp_path / "bom.txt", b"\xef\xbb\xbfBOM title\n\nBody.")
    status, out, _ = run_import(tmp_path)
    assert (status, out.strip()) == (0, "imported 2, unchanged 0, failed 0")
    assert set(Article.objects.values_list("title", flat=True)) == {"Título", "BOM title"}


def test_progress_bar_for_many_files(tmp_path, capsys):
    for number in range(25):
        write(tmp_path / f"{number:02}.txt", f"Title {number}\n\nBody number {number}.")
    from django.core.management import call_command

    call_command("import_articles", str(tmp_path))
    captured = capsys.readouterr()
    assert "25/25" in captured.err
    assert captured.out.strip().endswith("imported 25, unchanged 0, failed 0")


REPORTS = [
    {"title": "Blinken in Tokyo", "source": "Wire One", "published": "2024-03-01", "topics": ["China"],
     "body": "“We will not accept coercion of our allies in the region,” Secretary of State Antony Blinken said on Friday."},
    {"title": "Trade talks stall", "source": "Daily Ledger", "published": "2024-03-02", "topics": ["Trade"],
     "body": "“The tariffs stay until the talks resume,” said Maria Ortiz, the trade minister."},
    {"title": "A quiet week", "source": "Wire One", "published": "2024-03-02",
     "body": "Nothing was said. The ministers met for lunch."},
    {"title": "Allies reassured", "source": "Evening Post", "published": "2024-03-03", "topics": ["china"],
     "body": "“We won't accept coercion of our allies in this region,” Blinken told reporters in Tokyo."},
    {"title": "Ortiz holds firm", "source": "Daily Ledger", "published": "2024-03-04",
     "body": "Ortiz repeated: “The tariffs stay until talks resume.” She left without questions."},
]


def archive_snapshot():
    from statements.models import Quote, Statement

    quotes = Quote.objects.select_related("article", "speaker")
    return {
        "articles": sorted(
            (a.title, a.source.name if a.source else None, tuple(sorted(a.topics.values_list("name", flat=True))))
            for a in Article.objects.select_related("source")
        ),
        "quotes": sorted((q.article.title, q.start, q.text, q.speaker.name, q.kind, q.status) for q in quotes),
        "statements": sorted(
            sorted((q.article.title, q.start) for q in quotes.filter(statement=statement))
            for statement in Statement.objects.all()
        ),
    }


def test_an_import_in_batches_and_worker_processes_stores_what_one_article_at_a_time_does(tmp_path):
    from statements.importing import import_files
    from statements.models import Source, Speaker, Statement, Topic

    write(tmp_path / "reports.jsonl", "\n".join(json.dumps(report) for report in REPORTS))
    failures = []
    snapshots = []
    for procs, batch_size in ((1, 1), (2, 2)):
        for name in ("Antony Blinken", "Maria Ortiz"):  # known speakers: "Blinken" alone is him
            speaker = Speaker.objects.create(name=name, slug=name.lower().replace(" ", "-"))
            speaker.aliases.create(text=name.split()[-1])
        summary = import_files([tmp_path], status=Article.Status.PUBLISHED, on_failure=failures.append, procs=procs, batch_size=batch_size)
        assert str(summary) == "imported 5, unchanged 0, failed 0"
        snapshots.append(archive_snapshot())
        for model in (Statement, Article, Speaker, Source, Topic):
            model.objects.all().delete()
    assert failures == []
    one_at_a_time, batched = snapshots
    assert batched == one_at_a_time
    # The same remarks, reported in different batches, were linked; "China" named twice is one topic.
    assert [
        [title for title, _ in reports] for reports in batched["statements"]
    ] == [["Allies reassured", "Blinken in Tokyo"], ["Ortiz holds firm", "Trade talks stall"]]
    assert ("Allies reassured", "Evening Post", ("China",)) in batched["articles"]


def test_a_failed_record_in_a_batch_rolls_back_alone_with_the_outlet_it_created(tmp_path):
    from statements.importing import import_files
    from statements.models import Quote, Source

    records = [dict(report) for report in REPORTS[:3]]
    records[1].update(url="not a web address", source="New Outlet")
    records[2].update(source="New Outlet")  # created again, not taken from the rolled-back record
    write(tmp_path / "reports.json", json.dumps(records))
    failures = []
    summary = import_files([tmp_path], status=Article.Status.PUBLISHED, on_failure=failures.append, procs=2, batch_size=10)
    assert str(summary) == "imported 2, unchanged 0, failed 1"
    assert len(failures) == 1 and "reports.json record 2: url: Enter a valid URL." in failures[0]
    assert sorted(Article.objects.values_list("title", flat=True)) == ["A quiet week", "Blinken in Tokyo"]
    assert Source.objects.get(name="New Outlet").articles.get().title == "A quiet week"
    assert not Quote.objects.filter(text__contains="tariffs").exists()


def _failing_extraction(monkeypatch, word, failure):
    """Make preparing a record whose content holds `word` call `failure()` (in whichever
    process prepares it: the workers are forked after this)."""
    from statements import services

    prepare = services.article_prepare

    def article_prepare(*, content, **options):
        if word in content:
            failure()
        return prepare(content=content, **options)

    monkeypatch.setattr(services, "article_prepare", article_prepare)


@pytest.mark.parametrize("procs", [1, 2])
def test_a_bug_in_the_extractor_fails_its_record_alone(tmp_path, monkeypatch, procs):
    from statements.importing import import_files

    def crash():
        raise IndexError("string index out of range")

    records = [dict(report) for report in REPORTS[:3]]
    records[1]["body"] += " BREAKS-THE-EXTRACTOR"
    write(tmp_path / "reports.json", json.dumps(records))
    _failing_extraction(monkeypatch, "BREAKS-THE-EXTRACTOR", crash)
    failures = []
    summary = import_files([tmp_path], status=Article.Status.PUBLISHED, on_failure=failures.append, procs=procs, batch_size=10)
    assert str(summary) == "imported 2, unchanged 0, failed 1"
    assert failures == [
        f"{tmp_path / 'reports.json'}: reports.json record 2: could not be read for quotes "
        "(IndexError: string index out of range); nothing was imported"
    ]
    assert sorted(Article.objects.values_list("title", flat=True)) == ["A quiet week", "Blinken in Tokyo"]


def test_a_worker_process_that_dies_stops_the_import_with_a_message_instead_of_waiting(tmp_path, monkeypatch):
    import os

    from statements.importing import import_files

    parent = os.getpid()

    def die():
        if os.getpid() != parent:
            os._exit(9)  # as the kernel's OOM killer would end it

    records = [dict(report) for report in REPORTS]
    records[4]["body"] += " KILLS-THE-WORKER"  # in the third window, sent after the first batch is written
    write(tmp_path / "reports.json", json.dumps(records))
    _failing_extraction(monkeypatch, "KILLS-THE-WORKER", die)
    summary = import_files([tmp_path], status=Article.Status.PUBLISHED, on_failure=[].append, procs=2, batch_size=2)
    assert summary.stopped.startswith("a worker process preparing articles died")
    # The first batch is written before the fatal record is sent; the second may be lost with it.
    assert summary.imported in (2, 4)
    assert Article.objects.count() == summary.imported


def test_a_batch_the_database_refuses_fails_each_of_its_records_by_name_and_keeps_the_others(tmp_path, monkeypatch):
    from django.db import OperationalError

    from statements import statement_linking
    from statements.importing import import_files

    link = statement_linking.quotes_link
    calls = []

    def quotes_link(*, quotes):
        calls.append(len(calls))
        if len(calls) == 2:  # the second batch: the database gives up (disk full, say)
            raise OperationalError("database or disk is full")
        return link(quotes=quotes)

    monkeypatch.setattr(statement_linking, "quotes_link", quotes_link)
    write(tmp_path / "reports.json", json.dumps(REPORTS))
    failures = []
    summary = import_files([tmp_path], status=Article.Status.PUBLISHED, on_failure=failures.append, procs=2, batch_size=2)
    assert str(summary) == "imported 3, unchanged 0, failed 2"
    assert [failure.split(": ", 1)[1] for failure in failures] == [
        f"reports.json record {number}: not imported, the batch it was in failed: database or disk is full" for number in (3, 4)
    ]
    assert sorted(Article.objects.values_list("title", flat=True)) == sorted(
        report["title"] for number, report in enumerate(REPORTS, start=1) if number not in (3, 4)
    )


def test_an_article_already_there_by_its_url_is_that_one_even_when_its_words_are_anothers():
    from statements.services import article_import

    by_url, _ = article_import(title="First", content="The first words.", url="https://ex.org/first")
    by_words, _ = article_import(title="Second", content="The second words.", url="https://ex.org/second")
    found, created = article_import(title="First, edited", content="The second words.", url="https://ex.org/first")
    assert (found, created) == (by_url, False)
    found, created = article_import(title="Second again", content="The second words.")
    assert (found, created) == (by_words, False)


def test_a_record_that_fails_once_its_batch_is_being_written_fails_alone_and_the_speakers_made_for_the_others_are_made_again(
    tmp_path, monkeypatch
):
    """The batch is written again record by record: the speaker its first attempt created for
    Maria Ortiz was rolled back with it, so her quote must get one that exists."""
    from django.db import IntegrityError

    from statements import proposing
    from statements.importing import import_files
    from statements.models import Quote

    save = proposing.quote_proposals_save

    def quote_proposals_save(proposals):
        if any(quote.article.title == "Allies reassured" for quote, _ in proposals):
            raise IntegrityError("FOREIGN KEY constraint failed")
        return save(proposals)

    monkeypatch.setattr(proposing, "quote_proposals_save", quote_proposals_save)
    write(tmp_path / "reports.json", json.dumps([REPORTS[1], REPORTS[3]]))
    failures = []
    summary = import_files([tmp_path], status=Article.Status.PUBLISHED, on_failure=failures.append, procs=1, batch_size=10)
    assert str(summary) == "imported 1, unchanged 0, failed 1"
    assert [failure.split(": ", 1)[1] for failure in failures] == ["reports.json record 2: FOREIGN KEY constraint failed"]
    quote = Quote.objects.select_related("speaker", "article").get()
    assert (quote.article.title, quote.speaker.name) == ("Trade talks stall", "Maria Ortiz")


def test_records_of_one_batch_that_repeat_each_other_are_one_article_and_titles_that_repeat_get_their_own_slugs(tmp_path):
    from statements.importing import import_files
    from statements.services import article_import

    article_import(title="Same title 2", content="Already in the archive.")  # holds the slug same-title-2
    records = [
        {"title": "Same title", "body": "The first words.", "url": "https://ex.org/one"},
        {"title": "Same title", "body": "Other words.", "url": "https://ex.org/two"},
        {"title": "Its url again", "body": "New words.", "url": "https://ex.org/one"},
        {"title": "Its words again", "body": "The first  words."},
    ]
    write(tmp_path / "records.json", json.dumps(records))
    summary = import_files([tmp_path], status=Article.Status.PUBLISHED, on_failure=[].append, procs=1, batch_size=10)
    assert str(summary) == "imported 2, unchanged 2, failed 0"
    assert sorted(Article.objects.values_list("slug", "url")) == [
        ("same-title", "https://ex.org/one"), ("same-title-2", None), ("same-title-3", "https://ex.org/two"),
    ]


def test_the_extraction_workers_yield_the_cpu_to_the_importer(monkeypatch):
    """Where there are fewer cores than processes, the importer, which every batch waits for,
    runs first (and web requests with it); the workers preparing the next batch run behind."""
    import os

    from statements import importing

    monkeypatch.setattr(importing, "_prepare", lambda record, known: os.nice(0))  # each worker's own
    records = [(f"r{number}", importing.ArticleRecord(origin=f"r{number}", title="T", content="C")) for number in range(8)]
    niceness = {prepared for _, _, prepared in importing._prepared(iter(records), known=set(), procs=2, window=4)}
    assert niceness == {min(19, os.nice(0) + importing.EXTRACTION_NICENESS)}


@pytest.mark.parametrize("procs", [1, 2])
def test_an_import_collects_garbage_less_often_and_leaves_the_collector_as_it_was(monkeypatch, procs):
    import gc

    from statements import importing

    before = gc.get_threshold()
    monkeypatch.setattr(importing, "_prepare", lambda record, known: importing.PreparationFailed(str(gc.get_threshold()[0])))
    records = [(f"r{number}", importing.ArticleRecord(origin=f"r{number}", title="T", content="C")) for number in range(4)]
    failures = []
    summary = importing.import_records(iter(records), status=Article.Status.PUBLISHED, on_failure=failures.append, procs=procs)
    assert summary.failed == 4
    assert {failure.rsplit(": ", 1)[1] for failure in failures} == {str(importing.IMPORT_GC_THRESHOLD)}
    assert gc.get_threshold() == before
