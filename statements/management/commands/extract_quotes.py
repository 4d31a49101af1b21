"""Print the quotes the extractor finds in files, one JSON object per line. Writes nothing."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand

from statements.extraction import extract_quotes
from statements.importing import ImportFailure, read_records, read_text
from statements.proposing import SpeakerDirectory
from statements.services import body_and_text_from


class Command(BaseCommand):
    help = (
        "Extract direct quotes and speakers from article files and print them as JSON lines "
        '({"file", "text", "speaker", "start", "end", "kind", "confidence"}). A .txt file is '
        "read whole (offsets index the file); other formats as import would read them. Uses the "
        "archive's speakers and aliases when there are any; changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", help="Article files (.txt, .html, .json, .jsonl).")

    def handle(self, *args, paths, **options):
        known = SpeakerDirectory().known
        failed = 0
        for raw in paths:
            path = Path(raw)
            try:
                for text in self.texts(path):
                    for quote in extract_quotes(text, known_speakers=known):
                        self.stdout.write(json.dumps({
                            "file": path.name, "text": quote.text, "speaker": quote.speaker,
                            "start": quote.start, "end": quote.end, "kind": quote.kind,
                            "confidence": round(quote.confidence, 3),
                        }, ensure_ascii=False))
            except ImportFailure as failure:
                failed += 1
                self.stderr.write(f"failed: {path}: {failure}")
        if failed:
            raise SystemExit(1)

    def texts(self, path):
        if path.suffix.lower() == ".txt":
            yield read_text(path)
            return
        for record in read_records(path):
            if isinstance(record, ImportFailure):
                raise record
            yield body_and_text_from(record.content, content_format=record.content_format)[1]
