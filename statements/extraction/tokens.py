"""Tokens of the text around quotes: each quoted span is one QUOTE token, so the words and the
sentence punctuation inside a quote never confuse the search for its speaker."""
from __future__ import annotations

import re

from .quotes import QuotedSpan

QUOTE = "\x00Q"
# Inside a word besides \w: apostrophes, hyphens, combining accents (a name in decomposed form,
# "Pen\u0303a") and the debris of a mis-decoded accent ("PeÃ±a", "SarukhÃ\x83Â¡n"): a name keeps
# every character the article spells it with.
_MARKS = "\u0300-\u036f\u0080-\u009f\u00a1-\u00aa\u00ac-\u00ba\u00bc-\u00bf"
WORD_INNER = "\\w’'\\-" + _MARKS
_ABBREVIATION = (
    r"(?:Mr|Mrs|Ms|Dr|Sen|Rep|Gov|Gen|Lt|Col|Sgt|Capt|Adm|Rev|Prof|St|Jr|Sr|Sens|Reps|Mt|Ft|Gens)\."
)
_MONTH = r"(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)"  # "Feb. 1": no sentence ends there
_TOKEN = re.compile(
    rf"{_ABBREVIATION}|No\.(?=\s+\d)|{_MONTH}\.(?=\s+\d)|(?<=\()[DRI]-[A-Z][a-z]*\.?(?:[A-Z]\.)*(?=\))|(?:[A-Za-z]\.){{2,}}|[A-Z]\.(?=\s+[A-Z])|\d+(?:[.,]\d+)+|\w(?:[\w’'&\-{_MARKS}]*[\w{_MARKS}])?|[^\w\s]"
)
_SENTENCE_END = {".", "!", "?"}


class Token:
    """A word, a punctuation mark or a whole quote. The attributes the attribution rules ask
    about are computed once, here: they are read about a hundred times per token."""

    __slots__ = ("text", "start", "end", "quote", "ends_sentence", "lower", "is_quote", "is_word", "is_capitalized")

    def __init__(self, text: str, start: int, end: int, quote: int | None = None, ends_sentence: bool = False):
        self.text, self.start, self.end = text, start, end
        self.quote = quote  # index into the quote list for QUOTE tokens
        self.ends_sentence = ends_sentence  # a QUOTE token whose words end with . ! or ?
        self.lower = text.lower()
        self.is_quote = quote is not None
        self.is_word = quote is None and text[0].isalnum()
        self.is_capitalized = self.is_word and text[0].isupper()

    def __repr__(self):
        return f"Token({self.text!r}, {self.start}, {self.end})"


def word_tokens(text: str, start: int, end: int) -> list[Token]:
    return [Token(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(text, start, end)]


def paragraph_tokens(text: str, start: int, end: int, quotes: list[QuotedSpan],
                     quote_ids: list[int]) -> list[Token]:
    """Tokens of one paragraph; quote_ids are indexes of the quotes lying in it, in order."""
    tokens: list[Token] = []
    cursor = start
    for qid in quote_ids:
        span = quotes[qid]
        q_start = span.open_mark if span.open_mark is not None else span.start
        q_end = span.close_mark + 1 if span.close_mark is not None else span.end
        tokens.extend(word_tokens(text, cursor, q_start))
        words = text[span.start : span.end].rstrip("’'\"” ")
        tokens.append(Token(QUOTE, q_start, q_end, qid, ends_sentence=words[-1:] in ("." , "!", "?")))
        cursor = max(cursor, q_end)
    tokens.extend(word_tokens(text, cursor, end))
    return tokens


def split_sentences(tokens: list[Token]) -> list[list[Token]]:
    sentences: list[list[Token]] = []
    current: list[Token] = []
    for i, token in enumerate(tokens):
        current.append(token)
        following = tokens[i + 1] if i + 1 < len(tokens) else None
        ends = token.text in _SENTENCE_END or token.ends_sentence
        if ends and following is not None and (
            following.is_quote or following.is_capitalized or following.text[:1].isdigit() or following.text in "(“\""
        ):
            sentences.append(current)
            current = []
    if current:
        sentences.append(current)
    return sentences
