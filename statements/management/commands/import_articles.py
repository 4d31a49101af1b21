"""Import articles from .txt, .html, .json and .jsonl files or folders of them."""

import sys

from django.core.management.base import BaseCommand
from tqdm import tqdm

from statements.importing import import_files
from statements.models import Article

PROGRESS_BAR_FROM = 20


class Command(BaseCommand):
    help = (
        "Import articles from files or folders (recursive): .txt (first line title), .html, "
        ".json (object or list) and .jsonl. Re-importing the same article changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", help="Files or folders to import.")
        parser.add_argument(
            "--publish",
            action="store_true",
            help="Publish the new articles at once instead of sending them to review.",
        )

    def handle(self, *args, paths, publish, **options):
        status = Article.Status.PUBLISHED if publish else Article.Status.REVIEW

        def progress(files):
            if len(files) <= PROGRESS_BAR_FROM:
                return files
            return tqdm(files, unit="file", file=sys.stderr, disable=options["verbosity"] == 0)

        def on_failure(message):
            self.stderr.write(f"failed: {message}")

        summary = import_files(paths, status=status, on_failure=on_failure, progress=progress)
        self.stdout.write(str(summary))
        if summary.failed or summary.stopped:
            sys.exit(1)
