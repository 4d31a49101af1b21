"""Mail each confirmed subscriber the quotes that newly match their alert (run it on a schedule)."""

from django.core.management.base import BaseCommand

from statements.alerts import alerts_send


class Command(BaseCommand):
    help = "Send one mail per confirmed alert subscription with its new matching quotes."

    def handle(self, *args, **options):
        mails, quotes = alerts_send()
        self.stdout.write(f"sent {mails} mail(s) with {quotes} quote(s)")
