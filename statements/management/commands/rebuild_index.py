from django.core.management.base import CommandError
from haystack import connections
from haystack.management.commands.rebuild_index import Command as HaystackRebuildIndex

from ...indexing import index_rebuild


class Command(HaystackRebuildIndex):
    help = (
        "Empty the search index and index every published quote and article again. On the "
        "archive's Whoosh backend this writes in bulk, one process per core (--workers N to "
        "choose); other engines use haystack's own rebuild."
    )

    def handle(self, **options):
        using = options.get("using") or ["default"]
        if using != ["default"] or not hasattr(connections["default"].get_backend(), "bulk_index"):
            return super().handle(**options)
        if options.get("interactive", True):
            answer = input("This empties the search index and builds it again. Are you sure? [y/N] ")
            if answer.strip().lower() not in {"y", "yes"}:
                raise CommandError("Rebuild cancelled; the index is unchanged.")
        figures = index_rebuild(procs=options.get("workers") or None)
        for label, figure in figures.items():
            self.stdout.write(
                f"Indexed {figure['documents']:,} {label} in {figure['seconds']} s ({figure['per_s']:,}/s)."
            )
