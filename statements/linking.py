"""Link reports of one remark, as quoted by several outlets, into a single statement.

Pure Python (no Django): the database layer stores `blocking_keys` per quote in an
indexed table, fetches candidates sharing a key (same speaker, date window) and hands
them to `group` as `LinkCandidate` records.

Pipeline: normalize -> blocking keys (candidate generation, no all-pairs scan)
-> `compare` (word-level verification) -> constrained union-find (`group`).
"""

from __future__ import annotations

import difflib
import functools
import hashlib
import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import chain

from rapidfuzz.distance import LCSseq

DEFAULT_WINDOW_DAYS = 14
MAX_KEYS = 16

# A report must cover this share of the shorter wording (in order, or as word pairs).
MIN_COVERAGE = 0.6
# ...and this share of the longer one to count as a rewording rather than a part of it.
MIN_RESEMBLANCE = 0.5
# Short quotes, fragments and excerpts of a longer report need stricter evidence.
SHORT_QUOTE_WORDS = 8
FRAGMENT_WORDS = 10
PART_MIN_COVERAGE = 0.8
PART_MIN_CONTENT = 0.75
# A verbatim run this long is the same remark even when the excerpts only overlap.
LONG_SHARED_RUN = 10
# Quotes with fewer distinctive words than this never link (e.g. "people", "very sad").
MIN_CONTENT_WORDS = 2

_QUOTE_MARKS = str.maketrans(
    "\u2018\u2019\u201a\u201b\u2032`\u00b4\u201c\u201d\u201e\u201f\u00ab\u00bb\u2033"
    "\u2010\u2011\u2012\u2013\u2014\u2015\u2212",
    "'''''''\"\"\"\"\"\"\"-------",
)
_DIGIT_GROUPING = re.compile(r"(?<=\d)[,.](?=\d{3}\b)")
_NON_WORD = re.compile(r"[^\w']+")
_STRAY_APOSTROPHE = re.compile(r"(?<!\w)'|'(?!\w)")
_POSSESSIVE = re.compile(r"'s(?= |$)")  # at the end of a word of normalize()'s output

_STOPWORD_LIST = """a about above after again against all am an and any are as at be because been before
    being below between both but by can could did do does doing done down during each
    few for from further get got had has have having he her here hers herself him
    himself his how i if in into is it its itself just know let like me more most much
    my myself no nor not now of off on once only or other our ours ourselves out over
    own really said same say says she should so some such than that the their theirs
    them themselves then there these they this those through to too under until up very
    was we well were what when where which while who whom why will with would yes you
    your every yours yourself yourselves going gonna want think thing things one also
    even ever i'm i've i'll i'd it's that's don't can't won't we're we've we'll you're
    they're he's she's there's isn't wasn't aren't didn't doesn't"""
STOPWORDS = frozenset(_STOPWORD_LIST.split())


@dataclass(frozen=True)
class LinkCandidate:
    """What linking needs to know about one quote."""

    id: Hashable
    text: str
    speaker_id: Hashable | None
    date: date | None
    kind: str = "full"  # "full" (the quote is the statement) or "fragment"


@dataclass(frozen=True)
class Match:
    """How two wordings relate: `coverage` of the shorter, `resemblance` of the longer."""

    coverage: float
    resemblance: float
    same: bool

    @property
    def is_part(self) -> bool:
        """The shorter wording is a piece of the longer one, not a rewording of it."""
        return self.same and self.resemblance < MIN_RESEMBLANCE


# --- normalization -----------------------------------------------------------------


def normalize(text: str) -> str:
    """Comparable form: NFKC, casefolded, no punctuation, single spaces."""
    text = unicodedata.normalize("NFKC", text).casefold().translate(_QUOTE_MARKS)
    text = _DIGIT_GROUPING.sub("", text)  # "30,000" and "30000" are the same number
    text = _NON_WORD.sub(" ", text.replace("_", " "))
    text = _STRAY_APOSTROPHE.sub(" ", text)
    return " ".join(text.split())


def words(text: str) -> list[str]:
    """Normalized tokens, possessive 's dropped ("ISIS's" and "ISIS'" both give "isis")."""
    return list(_words(text))


@functools.lru_cache(maxsize=16384)  # linking a batch compares each quote with several others
def _words(text: str) -> tuple[str, ...]:
    return tuple(_POSSESSIVE.sub("", normalize(text)).split())


def content_words(tokens: Iterable[str]) -> list[str]:
    """Distinctive words, plural s dropped ("partners" ~ "partner"), no stopwords."""
    return [_singular(token) for token in tokens if len(token) >= 3 and token not in STOPWORDS]


@functools.lru_cache(maxsize=16384)
def _content_set(text: str) -> frozenset[str]:
    return frozenset(content_words(_words(text)))


def _singular(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


# --- blocking ------------------------------------------------------------------------


def stable_hash(value: str) -> int:
    """Signed 64-bit hash, identical in every process (unlike the salted `hash`)."""
    digest = hashlib.blake2b(value.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def blocking_keys(text: str, max_keys: int = MAX_KEYS) -> list[int]:
    """At most `max_keys` signed 64-bit keys; two reports of one remark share one.

    Keys are distinctive words, taken longest first: a bottom-k sketch under a fixed
    global order, so any two wordings select from their shared words consistently.
    Longest-first (rather than hash order) approximates "rarest first" without a word
    frequency list, and makes a short quoted fragment ("coercion and aggression") hit
    the long words its full quote kept. Quotes with no distinctive word get one key
    for their whole normalized text, so only identical wordings meet.
    """
    return list(_blocking_keys(text, max_keys))


@functools.lru_cache(maxsize=16384)  # linking a batch asks three times for each quote's keys
def _blocking_keys(text: str, max_keys: int) -> tuple[int, ...]:
    distinct = _content_set(text)
    if not distinct:
        tokens = _words(text)
        return (stable_hash("text:" + " ".join(tokens)),) if tokens else ()
    chosen = sorted(distinct, key=_word_order)[:max_keys]
    return tuple(sorted(_word_key(word) for word in chosen))


# Per word, not per text: an archive's quotes draw on one vocabulary, so a candidate's words
# have nearly all been hashed for earlier quotes.
@functools.lru_cache(maxsize=65536)
def _word_order(word: str) -> tuple[int, int]:
    return -len(word), stable_hash(word)


@functools.lru_cache(maxsize=65536)
def _word_key(word: str) -> int:
    return stable_hash("word:" + word)


# --- verification --------------------------------------------------------------------


def _bigram_containment(short: list[str], long: list[str]) -> float:
    """Share of the shorter wording's word pairs found in the longer: tolerates reordering."""
    short_pairs = list(zip(short, short[1:], strict=False))
    if not short_pairs:
        return 0.0
    long_pairs = set(zip(long, long[1:], strict=False))
    return sum(pair in long_pairs for pair in short_pairs) / len(short_pairs)


def _contains_phrase(short: list[str], long: list[str]) -> bool:
    width = len(short)
    return any(long[start : start + width] == short for start in range(len(long) - width + 1))


def compare(a: str, b: str, kind_a: str = "full", kind_b: str = "full") -> Match:
    """Word-level verification of two wordings (same speaker and date window assumed).

    Substituted words and truncation keep most of the shorter wording as a common
    subsequence; reordered clauses keep its word pairs. The shorter wording's distinctive
    words must be there too, so shared boilerplate ("president of the United States")
    is not enough. Short quotes and fragments need stricter evidence: a few common
    words prove little.
    """
    return _compared(a, b, kind_a, kind_b)


_NOT_THE_SAME = Match(0.0, 0.0, False)


def _compared(a, b, kind_a, kind_b, *, scored_when_different=True) -> Match:
    """compare(); without `scored_when_different`, two wordings that cannot be the same
    statement give _NOT_THE_SAME at once, unmeasured (linking needs only the verdict then)."""
    short_text, long_text = sorted((a, b), key=lambda text: len(_words(text)))
    short, long = _words(short_text), _words(long_text)
    if short == long and len(short) >= MIN_CONTENT_WORDS:
        return Match(1.0, 1.0, True)
    short_content = _content_set(short_text)
    if len(short_content) < MIN_CONTENT_WORDS:
        return _NOT_THE_SAME
    content_coverage = len(short_content & _content_set(long_text)) / len(short_content)
    # Every way to be the same needs most of the shorter wording's distinctive words (a phrase
    # of the other has all of them), except a verbatim run, which needs as many common words.
    few_words_shared = content_coverage < MIN_COVERAGE
    if few_words_shared and len(short) < LONG_SHARED_RUN and not scored_when_different:
        return _NOT_THE_SAME
    common = LCSseq.similarity(short, long)
    if few_words_shared and common < LONG_SHARED_RUN and not scored_when_different:
        return _NOT_THE_SAME
    coverage = max(common / len(short), _bigram_containment(short, long))
    resemblance = common / len(long)
    same = _is_enough(short, long, common, coverage, resemblance, content_coverage, (kind_a, kind_b))
    return Match(coverage, resemblance, same)


def _is_enough(short, long, common, coverage, resemblance, content_coverage, kinds) -> bool:
    # A phrase of the shorter, or a verbatim run, is also a common subsequence: `common`
    # (the longest one's length) rules both out without searching for them.
    if common == len(short) and _contains_phrase(short, long):
        return True
    if common >= LONG_SHARED_RUN and _longest_common_run(short, long) >= LONG_SHARED_RUN:
        return True
    is_short_fragment = "fragment" in kinds and len(short) < FRAGMENT_WORDS
    # Outlets excerpt verbatim but paraphrase whole remarks: a part must be near-exact.
    is_part = resemblance < MIN_RESEMBLANCE
    if len(short) < SHORT_QUOTE_WORDS or is_short_fragment or is_part:
        return coverage >= PART_MIN_COVERAGE and content_coverage >= PART_MIN_CONTENT
    return coverage >= MIN_COVERAGE and content_coverage >= MIN_COVERAGE


def _longest_common_run(short: list[str], long: list[str]) -> int:
    matcher = difflib.SequenceMatcher(a=short, b=long, autojunk=False)
    return matcher.find_longest_match(0, len(short), 0, len(long)).size


def similarity(a: str, b: str) -> float:
    """0..1: how much of the shorter wording the longer one repeats."""
    return compare(a, b).coverage


def is_same_statement(a: str, b: str, kind_a: str = "full", kind_b: str = "full") -> bool:
    return compare(a, b, kind_a, kind_b).same


# --- grouping ------------------------------------------------------------------------


class _ConstrainedUnionFind:
    """Union-find that refuses merges an editor has forbidden."""

    def __init__(self, ids, forbidden_pairs, pinned):
        self.parent = {quote_id: quote_id for quote_id in ids}
        self.members = {quote_id: {quote_id} for quote_id in ids}
        self.pins = {quote_id: {pinned[quote_id]} if quote_id in pinned else set() for quote_id in ids}
        self.forbidden = defaultdict(set)
        for first, second in (tuple(pair) for pair in forbidden_pairs):
            self.forbidden[first].add(second)
            self.forbidden[second].add(first)

    def find(self, quote_id):
        while self.parent[quote_id] != quote_id:
            self.parent[quote_id] = self.parent[self.parent[quote_id]]
            quote_id = self.parent[quote_id]
        return quote_id

    def can_merge(self, root_a, root_b) -> bool:
        if len(self.pins[root_a] | self.pins[root_b]) > 1:
            return False
        smaller, larger = sorted((root_a, root_b), key=lambda root: len(self.members[root]))
        return not any(self.forbidden[member] & self.members[larger] for member in self.members[smaller])

    def union(self, a, b) -> bool:
        root_a, root_b = self.find(a), self.find(b)
        if root_a == root_b:
            return True
        if not self.can_merge(root_a, root_b):
            return False
        if len(self.members[root_a]) < len(self.members[root_b]):
            root_a, root_b = root_b, root_a
        self.parent[root_b] = root_a
        self.members[root_a] |= self.members.pop(root_b)
        self.pins[root_a] |= self.pins.pop(root_b)
        return True

    def groups(self) -> list[list]:
        return [sorted(members, key=str) for members in self.members.values()]


def within_window(a: LinkCandidate, b: LinkCandidate, window_days: int) -> bool:
    if a.speaker_id is None or a.speaker_id != b.speaker_id:
        return False
    if a.date is None or b.date is None:
        return True
    return abs((a.date - b.date).days) <= window_days


def window_bounds(day: date, window_days: int) -> tuple[date, date]:
    """The first and last day within `window_days` of `day`, kept inside the calendar (an
    article misdated 9999-12-31 still links)."""
    window = timedelta(days=window_days)
    first = day - window if day - date.min >= window else date.min
    last = day + window if date.max - day >= window else date.max
    return first, last


def candidate_pairs(quotes: list[LinkCandidate], window_days: int, *, settled=frozenset()) -> set[tuple[int, int]]:
    """Index pairs sharing a blocking key, same speaker, inside the window; none between two
    `settled` quote ids. A statement reported a thousand times costs each new report a
    thousand pairs, not the half million among the reports already settled."""
    unsettled_by_key = defaultdict(list)  # (speaker, key): indexes of the quotes to link
    for index, quote in enumerate(quotes):
        if quote.id not in settled and quote.speaker_id is not None:
            for key in blocking_keys(quote.text):
                unsettled_by_key[(quote.speaker_id, key)].append(index)
    settled_by_key = defaultdict(list)  # only where a quote to link has the key
    for index, quote in enumerate(quotes):
        if quote.id in settled:
            for key in blocking_keys(quote.text):
                if (quote.speaker_id, key) in unsettled_by_key:
                    settled_by_key[(quote.speaker_id, key)].append(index)
    pairs = set()
    for bucket, unsettled in unsettled_by_key.items():
        members = unsettled + settled_by_key.get(bucket, [])
        if len(members) < 2:
            continue
        # Dated members in date order, so that each quote meets only those inside its window
        # (a prolific speaker's common word gathers reports from years apart).
        undated = [index for index in members if quotes[index].date is None]
        dated = sorted((index for index in members if quotes[index].date is not None), key=lambda index: quotes[index].date)
        days = [quotes[index].date for index in dated]
        for first in unsettled:
            day = quotes[first].date
            if day is None:
                partners = members
            else:
                first_day, last_day = window_bounds(day, window_days)
                partners = chain(undated, dated[bisect_left(days, first_day) : bisect_right(days, last_day)])
            for second in partners:
                if second != first:
                    pairs.add((first, second) if first < second else (second, first))
    return pairs


def group(
    quotes: Iterable[LinkCandidate],
    *,
    window_days: int = DEFAULT_WINDOW_DAYS,
    forbidden_pairs: Iterable[Iterable[Hashable]] = (),
    pinned: Mapping[Hashable, Hashable] | None = None,
) -> list[list[Hashable]]:
    """Partition quotes into statements; every quote appears in exactly one group.

    `forbidden_pairs`: pairs of quote ids an editor unlinked; they never share a group.
    `pinned`: quote id -> statement id; quotes pinned to different statements never
    share a group (pass existing assignments here to keep linking incremental).

    Rewordings (each covers much of the other) merge freely. A quote that is only a
    part of longer ones (fragment, truncation) joins the single best of them, so that
    "radical Islamic terrorism" cannot bridge two different speeches.
    """
    quotes = list(quotes)
    pinned = pinned or {}
    union_find = _ConstrainedUnionFind([quote.id for quote in quotes], forbidden_pairs, pinned)
    for pinned_together in _ids_by_statement(pinned, union_find.parent):
        for quote_id in pinned_together[1:]:
            union_find.union(pinned_together[0], quote_id)

    rewordings, parts = _verified_links(quotes, window_days, settled=pinned.keys())
    for _, first, second in sorted(rewordings, key=_strongest_first):
        union_find.union(first, second)
    for part_id, containers in sorted(parts.items(), key=lambda item: str(item[0])):
        for _, container_id in sorted(containers, key=_strongest_first):
            if union_find.union(part_id, container_id):
                break
    return sorted(union_find.groups(), key=lambda members: str(members[0]))


def _ids_by_statement(pinned, known_ids):
    by_statement = defaultdict(list)
    for quote_id, statement_id in pinned.items():
        if quote_id in known_ids:
            by_statement[statement_id].append(quote_id)
    return by_statement.values()


def _strongest_first(link):
    return (-link[0], str(link[1:]))


def _verified_links(quotes, window_days, settled):
    """Rewording links (score, id, id) and, per part quote, its (score, container id)s.

    Two pinned quotes are never compared: their statements are already decided.
    """
    rewordings, parts = [], defaultdict(list)
    for first, second in candidate_pairs(quotes, window_days, settled=settled):
        a, b = quotes[first], quotes[second]
        match = _compared(a.text, b.text, a.kind, b.kind, scored_when_different=False)
        if not match.same:
            continue
        if match.is_part or "fragment" in (a.kind, b.kind):
            part, container = sorted((a, b), key=lambda quote: len(words(quote.text)))
            parts[part.id].append((match.coverage + match.resemblance, container.id))
        else:
            rewordings.append((match.coverage + match.resemblance, a.id, b.id))
    return rewordings, parts


# --- presentation --------------------------------------------------------------------


TYPICALITY_SAMPLE = 40


def canonical_text(texts: Iterable[str]) -> str:
    """The statement's reference wording: the most typical of its fullest reports.

    Truncated reports (under half the longest) are skipped; among the rest the medoid
    wins, so one outlet's paraphrase or insertion does not become the reference.
    """
    texts = [text.strip() for text in texts if text and text.strip()]
    if not texts:
        return ""
    longest = max(len(words(text)) for text in texts)
    full_reports = sorted({text for text in texts if len(words(text)) * 2 >= longest})
    # Typicality against every other wording is quadratic: a remark reported in hundreds of
    # wordings is measured against an even sample of them (the same sample every time).
    step = -(-len(full_reports) // TYPICALITY_SAMPLE)
    sample = full_reports[::step]

    def typicality(text):
        others = sum(compare(text, other).coverage for other in sample if other != text)
        return (others, len(words(text)), text)

    return max(full_reports, key=typicality)


def word_diff(canonical: str, report: str) -> list[tuple[str, str]]:
    """Word-level diff from the canonical wording to one report.

    Returns ("equal" | "insert" | "delete", words) runs; words keep their original
    spelling and punctuation (canonical's for equal/delete, the report's for insert),
    while matching ignores case and punctuation.
    """
    canonical_words, report_words = canonical.split(), report.split()
    matcher = difflib.SequenceMatcher(
        a=[normalize(word) for word in canonical_words],
        b=[normalize(word) for word in report_words],
        autojunk=False,
    )
    runs = []
    for op, a_start, a_end, b_start, b_end in matcher.get_opcodes():
        if op in ("equal", "delete", "replace"):
            runs.append(("equal" if op == "equal" else "delete", " ".join(canonical_words[a_start:a_end])))
        if op in ("insert", "replace"):
            runs.append(("insert", " ".join(report_words[b_start:b_end])))
    return runs
