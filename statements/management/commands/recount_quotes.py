"""Recompute the stored counts of public quotes of every speaker and topic."""

from django.core.management.base import BaseCommand

from statements.services import quote_counts_recount


class Command(BaseCommand):
    help = (
        "Recompute every speaker's and topic's stored count of public quotes (a repair, or the "
        "last step after loading rows in bulk without the index queue)."
    )

    def handle(self, *args, **options):
        counted = quote_counts_recount()
        self.stdout.write(f"recounted the quotes of {counted['speakers']} speakers and {counted['topics']} topics")
