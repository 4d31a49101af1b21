"""Re-link every quote into statements (idempotent; editors' splits and merges are kept)."""

from django.core.management.base import BaseCommand

from statements.statement_linking import statements_relink


class Command(BaseCommand):
    help = "Group the quotes that report the same utterance into statements, from scratch."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500, help="Quotes linked per step.")

    def handle(self, *args, batch_size, **options):
        quotes, statements = statements_relink(batch_size=batch_size)
        self.stdout.write(f"linked {quotes} quotes into {statements} statements")
