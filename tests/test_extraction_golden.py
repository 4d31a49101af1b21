"""Golden tests: the hand-curated quotes of the seed articles (fixtures/seed.json), and nothing else."""
import datetime
import json
import re
from pathlib import Path

import pytest

from statements.extraction import Alias, KnownSpeaker, extract_quotes

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
SEED = json.loads((FIXTURES / "seed.json").read_text(encoding="utf-8"))
PUBLISHED = datetime.date(2021, 3, 24)
ARTICLES = [a for a in SEED["articles"] if a.get("file")]


def _date(value):
    return datetime.date.fromisoformat(value) if value else None


def known_speakers():
    return tuple(
        KnownSpeaker(
            s["name"],
            tuple(Alias(a["text"], _date(a.get("valid_from")), _date(a.get("valid_to")))
                  for a in s.get("aliases", ())),
            kind=s.get("kind") or "person",
        )
        for s in SEED["speakers"]
    )


def article_body(article) -> str:
    """The article text as the archive stores it: the content after the title line, paragraphs
    separated by one blank line, whitespace inside a paragraph collapsed."""
    content = (FIXTURES / article["file"]).read_text(encoding="utf-8").replace("\r\n", "\n")
    body = content.split("\n", 1)[1] if "\n" in content else ""
    return "\n\n".join(" ".join(p.split()) for p in re.split(r"\n\s*\n", body) if p.strip())


def expected_quotes(article):
    names = {s["slug"]: s["name"] for s in SEED["speakers"]}
    return [{"text": q["text"], "start": q["start"], "end": q["end"], "speaker": names[q["speaker"]],
             "kind": q["kind"]} for q in article["quotes"]]


def _id(article):
    return Path(article["file"]).stem


def test_the_seed_has_curated_quotes():
    assert ARTICLES
    assert sum(len(a["quotes"]) for a in ARTICLES) >= 17


@pytest.mark.parametrize("article", ARTICLES, ids=_id)
def test_curated_offsets_select_the_words(article):
    body = article_body(article)
    for expected in article["quotes"]:
        assert body[expected["start"] : expected["end"]] == expected["text"]


@pytest.mark.parametrize("article", ARTICLES, ids=_id)
def test_seed_article_quotes_match_the_curated_quotes(article):
    body = article_body(article)
    expected = expected_quotes(article)
    found = extract_quotes(body, known_speakers=known_speakers(), published=PUBLISHED)
    actual = [{"text": q.text, "start": q.start, "end": q.end, "speaker": q.speaker, "kind": q.kind}
              for q in found]
    missing = [e for e in expected if e not in actual]
    unexpected = [a for a in actual if a not in expected]
    assert not missing, f"curated quotes not found (or wrong text/offsets/speaker/kind): {missing}"
    assert not unexpected, f"quotes that are not curated: {unexpected}"
