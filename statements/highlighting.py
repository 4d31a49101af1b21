"""Marking the words a search matched inside a quote. The text is escaped first and only our
own <mark> tags are added, so a quote containing markup shows as text, never as markup."""

import re

from django.utils.html import escape
from django.utils.safestring import mark_safe
from whoosh.lang.porter import stem  # a pure-Python Porter stemmer, like the index's analyser

_word = re.compile(r"\w+", re.UNICODE)


def matched_spans(text, parsed_query):
    tokens = [(m.start(), m.end(), m.group().lower()) for m in _word.finditer(text)]
    stems = {stem(t.value) for t in parsed_query.positive_terms if t.kind == "word"}
    prefixes = tuple(t.value for t in parsed_query.positive_terms if t.kind == "prefix")
    phrases = [t.value.split() for t in parsed_query.positive_terms if t.kind == "phrase"]
    spans = []
    for index, (start, end, word) in enumerate(tokens):
        if word in stems or stem(word) in stems or (prefixes and word.startswith(prefixes)):
            spans.append((start, end))
        for phrase in phrases:
            window = tokens[index : index + len(phrase)]
            if [w for _, _, w in window] == phrase:
                spans.append((start, window[-1][1]))
    return _merge(sorted(spans))


def _merge(spans):
    merged = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def highlight(text, parsed_query):
    """Escaped HTML of `text` with each matched word or phrase in <mark>."""
    pieces, cursor = [], 0
    for start, end in matched_spans(text, parsed_query):
        pieces.append(escape(text[cursor:start]))
        pieces.append(f"<mark>{escape(text[start:end])}</mark>")
        cursor = end
    pieces.append(escape(text[cursor:]))
    return mark_safe("".join(pieces))  # noqa: S308 - every piece above is escaped
