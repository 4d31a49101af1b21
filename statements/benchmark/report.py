"""The benchmark's targets (issue 8) and the table printed from a report."""

TARGETS = {
    "search_p95_ms_at_100k": 150,
    "search_p95_ms_at_1m": 400,
    "view_over_raw_whoosh_p95": 1.3,
    "index_quotes_per_s": 2500,
    "import_articles_per_s": 100,
    "page_p95_ms_at_1m": 60,
    "load_p95_ms": 500,
    "load_errors": 0,
    "worker_rss_mb_at_1m": 400,
}


def search_target(quotes):
    return TARGETS["search_p95_ms_at_100k"] if quotes <= 150_000 else TARGETS["search_p95_ms_at_1m"]


def verdict(ok):
    return "ok" if ok else "MISS"


def format_table(report):
    quotes = report.get("quotes") or 0
    lines = [f"Benchmark archive: {report.get('articles', 0):,} published articles, {quotes:,} public quotes"]
    machine = report.get("machine")
    if machine:
        loop = machine["python_loop_s"]
        lines.append(
            f"Machine: {machine['cpus']} CPUs; a 10M-step Python loop took {loop.get('start')} s at the start and "
            f"{loop.get('end', '–')} s at the end (figures compare between runs as these do)"
        )

    def row(*cells, widths=(22, 9, 9, 9, 11, 9, 6)):
        return "  ".join(str(cell).rjust(width) if i else str(cell).ljust(width) for i, (cell, width) in enumerate(zip(cells, widths, strict=False)))

    if report.get("search"):
        limit = search_target(quotes)
        lines += ["", f"Search through the view (target p95 ≤ {limit} ms, ≤ {TARGETS['view_over_raw_whoosh_p95']}× raw Whoosh)"]
        lines.append(row("query kind", "p50 ms", "p95 ms", "p99 ms", "raw p95 ms", "view/raw", ""))
        for kind, figures in report["search"].items():
            raw = figures.get("raw_whoosh_p95_ms")
            ratio = figures["p95_ms"] / raw if raw else None
            ok = figures["p95_ms"] <= limit and (ratio is None or ratio <= TARGETS["view_over_raw_whoosh_p95"])
            ratio_cell = "–" if ratio is None else f"{ratio:.2f}"
            lines.append(row(kind, figures["p50_ms"], figures["p95_ms"], figures["p99_ms"], "–" if raw is None else raw, ratio_cell, verdict(ok)))
    if report.get("pages"):
        lines += ["", f"Pages (target p95 ≤ {TARGETS['page_p95_ms_at_1m']} ms at 1M quotes)"]
        lines.append(row("page", "p50 ms", "p95 ms", "SQL max", "", "", ""))
        for page, figures in report["pages"].items():
            ok = figures["p95_ms"] <= TARGETS["page_p95_ms_at_1m"]
            lines.append(row(page, figures["p50_ms"], figures["p95_ms"], figures.get("max_sql_queries", ""), "", "", verdict(ok)))
    lines.append("")
    if report.get("index_quotes_per_s") is not None:
        ok = report["index_quotes_per_s"] >= TARGETS["index_quotes_per_s"]
        size = report.get("index", {}).get("size_mb")
        lines.append(f"Index build: {report['index_quotes_per_s']:,} quotes/s (target ≥ {TARGETS['index_quotes_per_s']:,}), index {size} MB  {verdict(ok)}")
    if report.get("import_articles_per_s") is not None:
        ok = report["import_articles_per_s"] >= TARGETS["import_articles_per_s"]
        on_commit, queued = report.get("import", {}), report.get("import_queued", {})
        lines.append(
            f"Import: {report['import_articles_per_s']:,} articles/s with the index queue applied on commit "
            f"(target ≥ {TARGETS['import_articles_per_s']}); {queued.get('articles_per_s', '–')} articles/s with the queue "
            f"left to the worker (then applied in {queued.get('queue_apply_seconds', '–')} s)  {verdict(ok)}"
        )
        lines.append(
            f"  then the worker's merge of the segments they left: {on_commit.get('segments_merged', '–')} segments "
            f"in {on_commit.get('merge_seconds', '–')} s, and {queued.get('segments_merged', '–')} in "
            f"{queued.get('merge_seconds', '–')} s (beside the writers, not part of the import's time)"
        )
    if report.get("load"):
        load = report["load"]
        ok = load["errors"] == 0 and load["p95_ms"] <= TARGETS["load_p95_ms"]
        lines.append(
            f"Load: {load['clients']} clients, {load['seconds']} s: {load['rps']} requests/s, p50 {load['p50_ms']} ms, "
            f"p95 {load['p95_ms']} ms, {load['errors']} errors of {load['requests']}  {verdict(ok)}"
        )
    if report.get("peak_rss_mb"):
        peaks = report["peak_rss_mb"]
        worker = max((v for k, v in peaks.items() if k.startswith("gunicorn_worker")), default=None)
        text = ", ".join(f"{name} {mb:g}" for name, mb in peaks.items())
        ok = worker is None or worker <= TARGETS["worker_rss_mb_at_1m"]
        lines.append(f"Peak RSS (MB): {text}  {verdict(ok) if worker is not None else ''}".rstrip())
    return "\n".join(lines)
