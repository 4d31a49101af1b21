"""python -m statements.extraction PATH [PATH ...]: one JSON object per quote on stdout."""
from __future__ import annotations

import argparse
import json
import os
import sys

from . import extract_quotes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m statements.extraction", description=__doc__)
    parser.add_argument("paths", nargs="+", metavar="PATH")
    args = parser.parse_args(argv)
    out = sys.stdout
    for path in args.paths:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
        for quote in extract_quotes(text):
            record = {"file": os.path.basename(path), "text": quote.text, "speaker": quote.speaker,
                      "start": quote.start, "end": quote.end, "kind": quote.kind,
                      "confidence": quote.confidence}
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
