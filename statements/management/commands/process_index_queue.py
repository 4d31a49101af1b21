"""Apply queued search-index changes (one writer at a time; safe to run in several places), and
merge the index's small segments beside the writers."""

import time

from django.core.management.base import BaseCommand

from statements.indexing import index_merge, index_merge_started, index_queue_apply


class Command(BaseCommand):
    help = (
        "Bring the search index in step with the database by applying the index queue, then merge "
        "the small segments that commits leave (with --loop, in a process of its own)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="Keep running, polling the queue.")
        parser.add_argument("--interval", type=float, default=1.0, help="Seconds between polls with --loop.")
        parser.add_argument("--batch-size", type=int, default=1000, help="Entries applied per index commit.")

    def handle(self, *args, loop, interval, batch_size, **options):
        merging = None
        while True:
            try:
                applied = index_queue_apply(batch_size=batch_size)
            except Exception as error:  # the index is down or locked: keep the queue, retry
                if not loop:
                    raise
                self.stderr.write(f"index queue not applied, will retry: {error}")
                applied = 0
            if not loop:
                merged = index_merge()
                self.stdout.write(f"applied {applied} index change(s), merged {merged} segment(s)")
                return
            if applied:
                self.stdout.write(f"applied {applied} index change(s)")
            try:
                merging = index_merge_started(merging)
            except Exception as error:
                self.stderr.write(f"index merge not started, will retry: {error}")
            time.sleep(interval)
