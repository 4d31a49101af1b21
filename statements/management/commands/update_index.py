"""haystack's update_index, holding the index queue's writer lock while it writes."""

from haystack.management.commands.update_index import Command as HaystackUpdateIndex

from ...indexing import writer_lock


class Command(HaystackUpdateIndex):
    help = HaystackUpdateIndex.help + " Waits for the index queue's writer (an import's index process, say) to finish first."

    def handle(self, **options):
        # Every writer of the index holds the queue's writer lock: the applier beside an
        # import counts on being alone while it holds it (indexing.CreatedSinceLocked).
        with writer_lock(blocking=False) as acquired:
            if acquired:
                return super().handle(**options)
        self.stderr.write("Waiting for the process writing the search index (an import, say) to finish…")
        with writer_lock():
            return super().handle(**options)
