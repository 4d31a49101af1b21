"""The Whoosh backend's own machinery: what it writes must be what Whoosh itself would write."""

from pathlib import Path

import pytest
from haystack import connections
from whoosh.fields import TEXT

from statements.search_backend import StemmedText, WordsText, stemmed_analyzer, words_analyzer

SEEDS = Path(__file__).resolve().parent.parent / "fixtures" / "seeds"

TEXTS = [
    "",
    "a",
    "The the THE tHe: of, and; a I",
    "Blinken said the U.S. would “never” accept China’s coercion — never.",
    "İstanbul İzmir ǅemal straße STRASSE Ωμέγα naïve café façade",
    "北京 said 东京, 2024 and 3.6 degrees; snake_case_words and x1y2 ½ ² ³",
    "don't won't it's O'Brien's co-operation re-elect",
    "running runs ran runner sanctions sanction sanctioned generously generous",
    "repeat repeat repeat repeat Repeat REPEAT",
    "\n".join(["Antony Blinken", "the top U.S. diplomat", "Secretary of State", "Headline: China and the U.S."]),
]


def seed_texts():
    return [path.read_text(encoding="utf-8") for path in sorted(SEEDS.glob("*.txt"))]


def stock_postings(field, text):
    return sorted(field.index(text))


@pytest.mark.parametrize(
    ("direct", "stock"),
    [
        (WordsText(), TEXT(analyzer=words_analyzer(), phrase=True)),
        (StemmedText(), TEXT(analyzer=stemmed_analyzer(), phrase=False)),
    ],
    ids=["words", "stemmed"],
)
def test_directly_indexed_fields_write_the_postings_whoosh_writes(direct, stock):
    texts = TEXTS + seed_texts()
    assert len(texts) > len(TEXTS), "the seed articles are part of the comparison"
    for text in texts:
        assert sorted(direct.index(text)) == stock_postings(stock, text), text[:60]
    # Queries and options still go through the analyzer.
    assert list(direct.process_text("Sanctions ON China", mode="query")) == list(stock.process_text("Sanctions ON China", mode="query"))
    assert sorted(direct.index("Running Runs", mode="index")) == stock_postings(stock, "Running Runs")


def test_the_quote_schema_uses_the_directly_indexed_fields(db):
    backend = connections["default"].get_backend()
    backend.setup()
    assert isinstance(backend.schema["words"], WordsText)
    assert isinstance(backend.schema["text"], StemmedText)
