"""The synthetic-archive benchmark (`manage.py bench`).

`bench_run` builds an archive of the requested size in its own data directory
(`$ARCHIVE_DATA_DIR/bench/data`: its own SQLite database, Whoosh index and static files) and
measures it. Settings are read once per process, so every step that touches the archive runs in
a child process (`manage.py bench --step …`) whose environment points there; gunicorn for the
load test likewise. The figures go to `$ARCHIVE_DATA_DIR/bench/latest.json` and a table.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from django.conf import settings

from .load import load_run
from .report import TARGETS, format_table

LOG_NAME = "bench.log"


def bench_environment(data_dir):
    """The environment of every process that works on the benchmark archive."""
    return {
        **os.environ,
        "ARCHIVE_DATA_DIR": str(data_dir),
        "DATABASE_URL": f"sqlite:///{data_dir / 'db.sqlite3'}",
        "SEARCH_URL": f"whoosh://{data_dir / 'whoosh'}",
        "STATIC_ROOT": str(data_dir / "static"),
        # Production settings, served on 127.0.0.1 only.
        "DEBUG": "0",
        "SECRET_KEY": "benchmark-only-not-a-secret",
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "SECURE_SSL_REDIRECT": "0",
        "LOG_LEVEL": "ERROR",
    }


def run_step(step, *, data_dir, log_path, extra_env=None, **arguments):
    """Run one step in a child process with the archive's environment; its result dict."""
    with tempfile.NamedTemporaryFile("r", suffix=".json", dir=data_dir, delete=False) as handle:
        result_path = Path(handle.name)
    command = [
        sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), "bench",
        "--step", step, "--step-arguments", json.dumps(arguments), "--step-result", str(result_path),
    ]
    env = {**bench_environment(data_dir), **(extra_env or {})}
    with open(log_path, "ab") as log:
        log.write(f"\n== {step} {arguments}\n".encode())
        log.flush()
        completed = subprocess.run(command, cwd=settings.BASE_DIR, env=env, stdout=log, stderr=log, check=False)
    try:
        if completed.returncode != 0:
            raise RuntimeError(f"benchmark step {step!r} failed (exit {completed.returncode}); see {log_path}")
        result = json.loads(result_path.read_text())
        with open(log_path, "a") as log:
            log.write(f"== {step} result: {json.dumps({k: v for k, v in result.items() if k not in ('urls', 'queries')})}\n")
        return result
    finally:
        result_path.unlink(missing_ok=True)


def merge(into, result):
    for key, value in result.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            merge(into[key], value)
        else:
            into[key] = value
    return into


def python_loop_seconds(iterations=10_000_000):
    """Seconds this machine takes for a plain Python loop: the figures of two runs compare
    only as well as these do (a shared machine's speed changes from hour to hour)."""
    started = time.perf_counter()
    total = 0
    for number in range(iterations):
        total += number
    return round(time.perf_counter() - started, 3)


def directory_mb(path):
    path = Path(path)
    if not path.exists():
        return 0.0
    return round(sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20, 1)


def bench_run(
    *,
    articles=10_000,
    seed=1,
    import_sample=None,
    variants=8,
    repeats=5,
    page_samples=40,
    load_seconds=60.0,
    load_clients=16,
    workers=2,
    index_procs=None,
    skip=(),
    progress=print,
):
    """Build (unless "generate" is skipped) and measure the benchmark archive; the report dict."""
    bench_dir = Path(settings.ARCHIVE_DATA_DIR) / "bench"
    data_dir = bench_dir / "data"
    log_path = bench_dir / LOG_NAME
    bench_dir.mkdir(parents=True, exist_ok=True)
    if import_sample is None:
        import_sample = max(10, min(500, articles // 20))
    report = {
        "articles": 0,
        "quotes": 0,
        "import_articles_per_s": None,
        "index_quotes_per_s": None,
        "search": {},
        "pages": {},
        "load": {},
        "peak_rss_mb": {},
        "settings": {
            "articles_generated": articles, "seed": seed, "import_sample": import_sample,
            "variants": variants, "repeats": repeats, "page_samples": page_samples,
            "load_seconds": load_seconds, "load_clients": load_clients, "workers": workers,
            "index_procs": index_procs,
        },
        "targets": TARGETS,
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": {"cpus": os.cpu_count(), "python_loop_s": {"start": python_loop_seconds()}},
    }
    common = {"data_dir": data_dir, "log_path": log_path}
    if "generate" not in skip:
        if data_dir.exists():
            shutil.rmtree(data_dir)
        data_dir.mkdir(parents=True)
        log_path.write_text("")
        progress(f"generating {articles} articles in {data_dir} …")
        merge(report, run_step("generate", articles=articles, seed=seed, **common))
    elif not data_dir.exists():
        raise RuntimeError(f"no benchmark archive in {data_dir}; run without --skip-generate first")
    if "index" not in skip:
        progress("building the search index …")
        merge(report, run_step("index", procs=index_procs, **common))
        quotes = report["index"]["quote"]
        report["index_quotes_per_s"] = quotes["per_s"]
        report["index"]["size_mb"] = directory_mb(data_dir / "whoosh")
    if "import" not in skip:
        progress(f"importing {import_sample} articles as import_articles does …")
        # As deployed by `make run`: the queue is applied after each commit (one index commit
        # per article), then with the queue left to the worker and applied once at the end.
        merge(report, run_step("import", sample=import_sample, seed=seed, label="import", **common))
        merge(report, run_step("import", sample=import_sample, seed=seed, label="import_queued",
                               extra_env={"SEARCH_INDEX_APPLY_ON_COMMIT": "0"}, **common))
        report["import_articles_per_s"] = report["import"]["articles_per_s"]
    if "search" not in skip or "pages" not in skip:
        progress("measuring searches and pages …")
        merge(report, run_step(
            "measure", seed=seed, variants=variants, repeats=repeats, page_samples=page_samples,
            skip_search="search" in skip, skip_raw="raw" in skip, skip_pages="pages" in skip, **common,
        ))
    if "generate" in skip or not report["quotes"]:
        counts = run_step("count", **common)
        report["articles"], report["quotes"] = counts["articles"], counts["quotes"]
    if "load" not in skip:
        urls = report.get("urls", {})
        mix = urls.get("search", []) + urls.get("pages", [])
        if not mix:
            merge(report, run_step("measure", seed=seed, variants=2, repeats=1, page_samples=10, **common))
            mix = report["urls"]["search"] + report["urls"]["pages"]
        progress(f"load: {load_clients} clients for {load_seconds:g} s against gunicorn ({workers} workers) …")
        load, peaks = load_run(
            base_dir=settings.BASE_DIR, env=bench_environment(data_dir), urls=mix, workers=workers,
            clients=load_clients, seconds=load_seconds, seed=seed, log_path=log_path,
        )
        report["load"] = load
        report["peak_rss_mb"].update(peaks)
    report.pop("urls", None)
    report["machine"]["python_loop_s"]["end"] = python_loop_seconds()
    report["finished"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    (bench_dir / "latest.json").write_text(json.dumps(report, indent=2) + "\n")
    report["path"] = str(bench_dir / "latest.json")
    return report


__all__ = ["bench_run", "format_table"]
