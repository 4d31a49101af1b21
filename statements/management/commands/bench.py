"""Benchmark a synthetic archive: import, index build, search, pages, load and memory.

Builds the archive in $ARCHIVE_DATA_DIR/bench/data (never var/ or the development database),
prints a table and writes $ARCHIVE_DATA_DIR/bench/latest.json.
"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from statements.benchmark import bench_run, format_table

PARTS = ("generate", "index", "import", "search", "raw", "pages", "load")


class Command(BaseCommand):
    help = (
        "Generate a synthetic archive (10 quotes per article) in its own data directory and "
        "measure import, index build, search and page latency, a concurrent load and memory."
    )

    def add_arguments(self, parser):
        parser.add_argument("--articles", type=int, default=10_000, help="Articles to generate (10,000 ≈ 100k quotes).")
        parser.add_argument("--seed", type=int, default=1, help="Random seed of the synthetic archive.")
        parser.add_argument("--import-sample", type=int, default=None, help="Articles imported as import_articles does (default: articles/20, 10 to 500: 500 from 10,000 articles up).")
        parser.add_argument("--variants", type=int, default=8, help="Different queries per query kind.")
        parser.add_argument("--repeats", type=int, default=5, help="Runs of each query.")
        parser.add_argument("--page-samples", type=int, default=40, help="Requests per page kind.")
        parser.add_argument("--load-seconds", type=float, default=60.0, help="Duration of the concurrent run.")
        parser.add_argument("--load-clients", type=int, default=16, help="Concurrent clients in the load run.")
        parser.add_argument("--workers", type=int, default=2, help="Gunicorn workers in the load run.")
        parser.add_argument("--index-procs", type=int, default=None, help="Whoosh writer processes for the index build (default: one per core, up to 4).")
        for part in PARTS:
            parser.add_argument(
                f"--skip-{part}", action="store_true",
                help={
                    "generate": "Skip the generate step (reuse the archive already generated).",
                    # At a million quotes the stock queries (date ranges, facets) take seconds each.
                    "raw": "Skip running each search directly against Whoosh (the view's figures alone).",
                }.get(part, f"Skip the {part} step."),
            )
        # Internal: run one step inside the benchmark archive's environment.
        parser.add_argument("--step", help="Internal: the step to run in this process.")
        parser.add_argument("--step-arguments", default="{}", help="Internal: the step's arguments (JSON).")
        parser.add_argument("--step-result", help="Internal: where to write the step's result (JSON).")

    def handle(self, *args, **options):
        if options["step"]:
            from statements.benchmark.steps import STEPS

            result = STEPS[options["step"]](**json.loads(options["step_arguments"]))
            Path(options["step_result"]).write_text(json.dumps(result))
            return
        try:
            report = bench_run(
                articles=options["articles"],
                seed=options["seed"],
                import_sample=options["import_sample"],
                variants=options["variants"],
                repeats=options["repeats"],
                page_samples=options["page_samples"],
                load_seconds=options["load_seconds"],
                load_clients=options["load_clients"],
                workers=options["workers"],
                index_procs=options["index_procs"],
                skip={part for part in PARTS if options[f"skip_{part}"]},
                progress=lambda message: self.stderr.write(message),
            )
        except RuntimeError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(format_table(report))
        self.stdout.write(f"\nWrote {report['path']}")
