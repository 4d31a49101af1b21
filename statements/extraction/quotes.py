"""Finding quoted spans: pairing double quote marks in messy news text.

Marks are paired per paragraph by position (the n-th mark opens, the next one closes), because
the direction of curly marks is often wrong in scraped text; the spacing around a mark only
decides which mark is left over when a paragraph has an odd number of them.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

DOUBLE_MARKS = "\"“”„‟"
OPENING_CURLY = "“„‟"
CLOSING_CURLY = "”"
_MARK = re.compile(f"[{DOUBLE_MARKS}]")
# Left-over HTML/XML (embedded tweets, links): their attribute quotes are not quotation marks.
_MARKUP = re.compile(r"</?[A-Za-z][^<>\n]{0,400}>")
_OPENER_BEFORE = set(" \t([{—–-/\u00a0") | {""}
_CLOSER_AFTER = set(" \t,.;:!?)]}—–-/\u00a0") | {""}


@dataclass
class QuotedSpan:
    start: int  # first character of the quoted words
    end: int  # one past the last quoted word character
    open_mark: int | None
    close_mark: int | None
    paragraph: int
    continues_previous: bool = False  # a multi-paragraph quote goes on here
    continues_next: bool = False
    scare_quoted: bool = False  # "so-called “…”", or a title: the “America First” policy


@dataclass(frozen=True)
class Paragraph:
    index: int
    start: int
    end: int


def mask_markup(text: str) -> str:
    """Blank out markup tags, keeping offsets."""
    return _MARKUP.sub(lambda m: " " * len(m.group()), text)


def paragraphs(text: str) -> list[Paragraph]:
    found = []
    for match in re.finditer(r"[^\n]+", text):
        if match.group().strip():
            found.append(Paragraph(len(found), match.start(), match.end()))
    return found


def _char(text: str, i: int) -> str:
    return text[i] if 0 <= i < len(text) else ""


def _opener_misfit(text: str, i: int) -> float:
    misfit = 0.0 if _char(text, i - 1) in _OPENER_BEFORE or _char(text, i - 1) == "\n" else 1.0
    return misfit + (0.5 if text[i] in CLOSING_CURLY else 0.0)


def _closer_misfit(text: str, i: int) -> float:
    misfit = 0.0 if _char(text, i + 1) in _CLOSER_AFTER or _char(text, i + 1) == "\n" else 1.0
    return misfit + (0.5 if text[i] in OPENING_CURLY else 0.0)


def _pairing_misfit(text: str, marks: list[int]) -> float:
    return sum(
        _opener_misfit(text, m) if n % 2 == 0 else _closer_misfit(text, m) for n, m in enumerate(marks)
    )


def _pair_marks(text: str, marks: list[int]) -> tuple[list[tuple[int, int]], int | None, int | None]:
    """Pair marks; return (pairs, unclosed opener, unopened closer)."""
    if len(marks) % 2 == 0:
        return list(zip(marks[::2], marks[1::2], strict=True)), None, None
    best = None
    for k, mark in enumerate(marks):
        rest = marks[:k] + marks[k + 1 :]
        misfit = _pairing_misfit(text, rest)
        if k == len(marks) - 1:
            misfit += _opener_misfit(text, mark) - 0.25  # prefer: quote left open to the end
        elif k == 0:
            misfit += _closer_misfit(text, mark)
        else:
            misfit += 1.5  # a stray mark in the middle
        if best is None or misfit < best[0]:
            best = (misfit, k)
    k = best[1]
    rest = marks[:k] + marks[k + 1 :]
    pairs = list(zip(rest[::2], rest[1::2], strict=True))
    if k == len(marks) - 1:
        return pairs, marks[k], None
    if k == 0 and _closer_misfit(text, marks[0]) < _opener_misfit(text, marks[0]):
        return pairs, None, marks[k]
    return pairs, None, None


def _stripped(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _starts_with_mark(text: str, para: Paragraph) -> bool:
    head = text[para.start : para.end].lstrip()
    return bool(head) and head[0] in DOUBLE_MARKS


_SO_CALLED = re.compile(r"(?:so-called|so called|dubbed|titled|entitled|named|nicknamed)\s*$", re.I)
_TITLE_BEFORE = re.compile(r"\b(?:the|a|an|his|her|their|its|our)\s*$", re.I)
_NOUN_AFTER = re.compile(r"^\s*[a-z]")


def _is_scare_quoted(text: str, span: QuotedSpan) -> bool:
    if span.open_mark is None or span.close_mark is None:
        return False
    before = text[max(0, span.open_mark - 20) : span.open_mark]
    if _SO_CALLED.search(before):
        return True
    words = text[span.start : span.end].split()
    title_case = all(w[:1].isupper() or not w[:1].isalpha() for w in words) and len(words) <= 5
    after = text[span.close_mark + 1 : span.close_mark + 20]
    return title_case and bool(_TITLE_BEFORE.search(before)) and bool(_NOUN_AFTER.match(after))


def find_quoted_spans(text: str, paras: list[Paragraph]) -> list[QuotedSpan]:
    """All double-quoted spans, one per paragraph piece, sorted by position."""
    spans: list[QuotedSpan] = []
    open_from_previous = False
    for para in paras:
        marks = [m.start() for m in _MARK.finditer(text, para.start, para.end)]
        starts_continuation = open_from_previous and _starts_with_mark(text, para)
        if open_from_previous and spans:
            spans[-1].continues_next = starts_continuation
        open_from_previous = False
        pairs, unclosed, unopened = _pair_marks(text, marks)
        if unopened is not None:
            start, end = _stripped(text, para.start, unopened)
            if end > start:
                spans.append(QuotedSpan(start, end, None, unopened, para.index))
        for open_mark, close_mark in pairs:
            start, end = _stripped(text, open_mark + 1, close_mark)
            if end > start:
                spans.append(QuotedSpan(start, end, open_mark, close_mark, para.index))
        if unclosed is not None:
            start, end = _stripped(text, unclosed + 1, para.end)
            if end > start:
                spans.append(QuotedSpan(start, end, unclosed, None, para.index))
                open_from_previous = True
        if starts_continuation:
            first = next((s for s in spans if s.paragraph == para.index), None)
            if first is not None:
                first.continues_previous = True
    for span in spans:
        span.scare_quoted = _is_scare_quoted(text, span)
        trim_trailing_comma(text, span)
    return [span for span in spans if span.end > span.start]


_TRAILING_SEPARATORS = ",;:"


def trim_trailing_comma(text: str, span: QuotedSpan) -> None:
    """The archive's convention: a comma, semicolon or colon before the closing mark is not part of
    the quote (`“…with our allies,” X said` -> `…with our allies`); . ? ! stay."""
    end = span.end
    while end > span.start and (text[end - 1].isspace() or text[end - 1] in _TRAILING_SEPARATORS):
        end -= 1
    span.end = end
