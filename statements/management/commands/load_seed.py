"""Load the curated seed articles, speakers, topics and quotes (fixtures/seed.json)."""

from django.core.management.base import BaseCommand

from statements.seeding import SEED_FILE, seed_load


class Command(BaseCommand):
    help = "Load the archive's curated seed data. Running it again updates in place."

    def add_arguments(self, parser):
        parser.add_argument("--file", default=str(SEED_FILE), help="Seed JSON file (default: fixtures/seed.json).")

    def handle(self, *args, file, **options):
        counts = seed_load(path=file)
        self.stdout.write(
            f"seed data loaded: {counts['articles']} articles, {counts['quotes']} quotes, "
            f"{counts['speakers']} speakers"
        )
