"""The benchmark keeps working: a tiny archive, every figure present (no timing asserted)."""

import json
from numbers import Number

from django.conf import settings
from django.core.management import call_command

from statements.benchmark.corpus import ArchiveShape
from statements.benchmark.steps import KINDS
from statements.sanitizing import html_to_text, text_to_html


def test_generated_quotes_sit_at_their_offsets():
    shape = ArchiveShape(3)
    articles = list(shape.articles(40))
    quotes = [quote for article in articles for quote in article.quotes]
    assert len(quotes) > 200
    for article in articles:
        assert html_to_text(text_to_html(article.text)) == article.text
        for quote in article.quotes:
            assert article.text[quote.start : quote.end] == quote.text
    assert any(quote.statement for quote in quotes), "some quotes are reported by several outlets"


def test_bench_writes_every_figure(capsys):
    call_command(
        "bench", articles=30, load_seconds=2, load_clients=4, variants=2, repeats=2, page_samples=3
    )
    report = json.loads((settings.ARCHIVE_DATA_DIR / "bench" / "latest.json").read_text())

    for key in ("quotes", "articles", "index_quotes_per_s", "import_articles_per_s"):
        assert isinstance(report[key], Number) and report[key] > 0, key
    assert set(report["search"]) == set(KINDS)
    for kind, figures in report["search"].items():
        for key in ("p50_ms", "p95_ms", "p99_ms", "raw_whoosh_p95_ms"):
            assert isinstance(figures[key], Number), (kind, key)
    assert set(report["pages"]) == {"home", "speaker", "topic", "article", "quote"}
    for page, figures in report["pages"].items():
        assert isinstance(figures["p50_ms"], Number) and isinstance(figures["p95_ms"], Number), page
    for key in ("rps", "p95_ms", "errors"):
        assert isinstance(report["load"][key], Number), key
    assert report["load"]["errors"] == 0, report["load"].get("error_examples")
    peaks = report["peak_rss_mb"]
    assert {"gunicorn_worker_1", "gunicorn_worker_2", "index", "measure"} <= set(peaks)
    assert all(isinstance(mb, Number) and mb > 0 for mb in peaks.values())
    for label in ("import", "import_queued"):
        assert isinstance(report[label]["merge_seconds"], Number) and isinstance(report[label]["segments_merged"], int), label
    loop = report["machine"]["python_loop_s"]
    assert report["machine"]["cpus"] >= 1 and loop["start"] > 0 and loop["end"] > 0
    output = capsys.readouterr().out
    assert "common_term" in output and "10M-step Python loop took" in output and "the worker's merge" in output

    # The view's figures alone, on the archive just built (at a million quotes the direct
    # Whoosh runs take longer than all the rest).
    call_command(
        "bench", articles=30, variants=2, repeats=2, skip_generate=True, skip_index=True,
        skip_import=True, skip_raw=True, skip_pages=True, skip_load=True,
    )
    report = json.loads((settings.ARCHIVE_DATA_DIR / "bench" / "latest.json").read_text())
    assert set(report["search"]) == set(KINDS)
    for kind, figures in report["search"].items():
        assert isinstance(figures["p95_ms"], Number) and "raw_whoosh_p95_ms" not in figures, kind
    common_term_row = next(line for line in capsys.readouterr().out.splitlines() if line.startswith("common_term"))
    assert "–" in common_term_row
