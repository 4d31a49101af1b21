"""Speaker cues: who is said to have said a quote (`X said`, `said X`, `according to X`, ...).

Everything here works on paragraph tokens in which each quote is a single QUOTE token.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .lexicon import (
    AUXILIARIES_AND_ADVERBS,
    CLAUSE_BOUNDARIES,
    DETERMINERS,
    FRAGMENT_VERBS,
    IRREGULAR_PAST,
    NAME_MODIFIERS,
    NOT_NAME_WORDS,
    NOUN_LIKE_VERBS,
    PARTICLE_VERBS,
    PERSON_PRONOUNS,
    PLACE_NAMES,
    ROLE_NOUNS,
    SPEECH_VERBS,
    TIME_NOUNS,
    TITLES,
    word_set,
)
from .tokens import Token

_NAME_CONNECTORS = word_set("of de van von der da la le al bin du del della di y")
_PHRASE_CONNECTORS = word_set("of for at from with in")
_MAX_PHRASE = 10
_RELATIVES = frozenset(("who", "which"))
_STANDALONE_DETERMINERS = word_set("another one others some many")
_ADDRESSEE_VERBS = word_set("tell tells told telling ask asks asked asking urge urged urging")
_ADVERBIAL_PREPOSITIONS = word_set("in on at during from over through into via amid throughout across")
_OBJECT_DETERMINERS = word_set("a an the his her their its")
_BE_FORMS = word_set("was were is are been be being")
_CLAUSE_OPENERS = word_set("that this these those")  # `added that the plan …`: a clause, not a speaker
_PRONOUN_CONTRACTIONS = frozenset(p + c for p in ("he", "she", "they") for c in ("’s", "'s", "’d", "'d", "’ve", "'ve"))


def pronoun_of(token: Token) -> str | None:
    """"he", "she", "they" (also from "he's", "she'd"), or None."""
    word = token.lower
    if word in PERSON_PRONOUNS:
        return word
    if word in _PRONOUN_CONTRACTIONS:
        return word.split("’")[0].split("'")[0]
    return None


@dataclass(frozen=True)
class Mention:
    text: str
    start: int
    end: int
    kind: str  # "name", "pronoun", "nominal"


@dataclass(frozen=True)
class Cue:
    mention: Mention
    how: str  # "after", "inverted", "before", "according", "subject"
    verb: str | None = None


def is_speech_verb(tokens: list[Token], i: int, verbs: frozenset[str] = SPEECH_VERBS,
                   strict: bool = True) -> bool:
    token = tokens[i]
    if not token.is_word or token.lower not in verbs or token.is_capitalized and i > 0 and tokens[i - 1].text not in ".!?":
        return False  # capitalized only where a sentence begins: "Said Lena Holm, “…”"
    before = _word_before(tokens, i)
    if before is not None and (before.lower in DETERMINERS or _is_possessive(before)) and not _standalone_subject(before, token):
        return False  # "a written statement", "Clinton's email"
    if strict and token.lower in NOUN_LIKE_VERBS and not _subject_like(before):
        return False
    if token.lower in NOUN_LIKE_VERBS and before is not None and _is_modified_adjective(tokens, i - 1):
        return False  # "a heavily Democratic state"
    if i > 1 and tokens[i - 2].lower in ("a", "an") and tokens[i - 1].is_word and not token.lower.endswith(("s", "ed", "ing")) \
            and token.lower not in IRREGULAR_PAST:
        return False  # "a snappy retort": "a" + adjective + bare form is a noun phrase, no subject and verb
    particle = PARTICLE_VERBS.get(token.lower)
    if particle:
        return i + 1 < len(tokens) and tokens[i + 1].lower == particle
    return True


def _standalone_subject(before: Token, verb: Token) -> bool:
    """`Another said`, `one added`: a determiner standing for a person, then a past-tense verb (in
    `some reports` the noun reading wins)."""
    if before.lower in _STANDALONE_NUMBERS:
        return verb.lower not in NOUN_LIKE_VERBS  # `the two wrote`, `both said`, but `two reports`
    return before.lower in _STANDALONE_DETERMINERS and (verb.lower.endswith("ed") or verb.lower in IRREGULAR_PAST)


_STANDALONE_NUMBERS = word_set("both two three four five")


def _is_modified_adjective(tokens: list[Token], k: int) -> bool:
    """A capitalized word after an -ly adverb ("heavily Democratic") describes, it is no subject."""
    return k > 0 and tokens[k].is_capitalized and _is_adverb(tokens[k - 1]) and tokens[k - 1].lower.endswith("ly")


def _word_before(tokens: list[Token], i: int) -> Token | None:
    """The token before i, past adverbs and auxiliaries."""
    k = i - 1
    while k >= 0 and tokens[k].is_word and _is_adverb(tokens[k]):
        k -= 1
    return tokens[k] if k >= 0 else None


def _subject_like(token: Token | None) -> bool:
    if token is None:
        return True
    if token.is_quote or token.text in ",":
        return True  # `“…,” tweets X`, `X, …, claims`
    return bool(pronoun_of(token)) or token.is_capitalized or token.lower in ("who", "to", "officials")


def _is_name_word(token: Token) -> bool:
    return token.is_capitalized and token.lower.rstrip(".") not in NOT_NAME_WORDS


def _is_adverb(token: Token) -> bool:
    word = token.lower
    return not token.is_capitalized and (word in AUXILIARIES_AND_ADVERBS or (word.endswith("ly") and len(word) > 4))


def _is_possessive(token: Token) -> bool:
    return token.text.endswith(("’s", "'s", "s’", "s'"))


def _looks_like_verb(token: Token) -> bool:
    word = token.lower
    return word in IRREGULAR_PAST or word in SPEECH_VERBS or (word.endswith("ed") and len(word) > 4)


def _mention(tokens: list[Token], first: int, end: int, kind: str, text: str) -> Mention:
    start, stop = tokens[first].start, tokens[end - 1].end
    return Mention(text[start:stop], start, stop, kind)


# -- noun phrases --------------------------------------------------------------------------------
def _name_run(tokens: list[Token], i: int, limit: int) -> int:
    """End of a run of capitalized name words (with "of the", "de", ... inside) starting at i."""
    j = i
    while j < limit and j - i < _MAX_PHRASE:
        token = tokens[j]
        if token.is_capitalized and (j == i or not _is_possessive(tokens[j - 1])):
            j += 1
            continue
        if token.text in "’'-&" and j > i and j + 1 < limit and tokens[j + 1].is_capitalized:
            j += 1
            continue
        if token.lower in _NAME_CONNECTORS and j > i:
            k = j + 1
            if k < limit and tokens[k].lower == "the":
                k += 1
            if k < limit and tokens[k].is_capitalized:
                j = k
                continue
        break
    return j


def name_mentions(tokens: list[Token], text: str) -> list[Mention]:
    """Every run of capitalized name words outside quotes (persons among them)."""
    found, k = [], 0
    while k < len(tokens):
        end = _name_run(tokens, k, len(tokens)) if tokens[k].is_capitalized else k
        if end > k:
            found.append(_mention(tokens, k, end, "name", text))
        k = max(end, k + 1)
    return found


def _modifier_run(tokens: list[Token], i: int, limit: int, loose: bool = False) -> int:
    j = i
    while j < limit and j - i < 5 and tokens[j].is_word and not tokens[j].is_capitalized:
        word = tokens[j].lower
        known = word in NAME_MODIFIERS or word[:1].isdigit() or word.endswith("-old")
        if not known and (not loose or not _descriptive_word(tokens[j]) or j - i >= 3):
            break
        j += 1
    return j


_NOT_DESCRIPTIVE = CLAUSE_BOUNDARIES | DETERMINERS | PERSON_PRONOUNS | _PHRASE_CONNECTORS | word_set(
    "to on by into about against over under than not no during after before since until amid among")


def _descriptive_word(token: Token) -> bool:
    """A lowercase word that can describe a person before the name: "ally", "nutritional-supplement"."""
    word = token.lower
    return (word not in _NOT_DESCRIPTIVE and not _is_adverb(token) and not _looks_like_verb(token)
            and word not in TIME_NOUNS and word not in NOUN_LIKE_VERBS)


def np_forward(tokens: list[Token], i: int, limit: int) -> int:
    """End index (exclusive) of the speaker-like noun phrase starting at i; i when there is none."""
    if i >= limit or not tokens[i].is_word:
        return i
    word = tokens[i].lower
    if pronoun_of(tokens[i]):
        return i + 1
    if word in DETERMINERS:
        return _nominal_run(tokens, i, limit)
    if tokens[i].is_capitalized:
        end = _name_run(tokens, i, limit)
        if end == i:
            return i
        if _is_possessive(tokens[end - 1]) or end < limit and tokens[end].text in ("’s", "'s"):
            return _nominal_run(tokens, end - 1, limit)
        end = _chain_names(tokens, end, limit)
        return end if tokens[i].lower.endswith("ing") else _group_noun_end(tokens, end, limit)
    modifiers = _modifier_run(tokens, i, limit, loose=True)
    if modifiers > i and modifiers < limit and _title_then_name(tokens, modifiers, limit):
        # "former Sen. Evan Bayh": a title abbreviation is no name word, but the name follows it
        modifiers += 1
    if modifiers > i and modifiers < limit and _is_name_word(tokens[modifiers]):
        # "former Wisconsin Gov. Jim Doyle", "former Obama adviser David Axelrod"
        return _chain_names(tokens, _name_run(tokens, modifiers, limit), limit)
    return i


def _title_then_name(tokens: list[Token], k: int, limit: int) -> bool:
    return (tokens[k].is_capitalized and tokens[k].text.endswith(".") and tokens[k].lower in TITLES
            and k + 1 < limit and _is_name_word(tokens[k + 1]))


def _group_noun_end(tokens: list[Token], end: int, limit: int) -> int:
    """`Clinton supporters`, `Corporate lobbyists`, `Nuclear proliferation experts`: lowercase
    words after capitalized ones, ending in a plural or a role noun, make one (nominal) phrase."""
    k, best = end, end
    while k < limit and k - end < 3 and tokens[k].is_word and not tokens[k].is_capitalized:
        if not _descriptive_word(tokens[k]) or is_speech_verb(tokens, k, strict=False):
            break
        word = tokens[k].lower
        k += 1
        if (word.endswith("s") and not word.endswith("ss") or word in ROLE_NOUNS) and _phrase_may_end(tokens, k, limit):
            best = k
    return best


_AFTER_SUBJECT = CLAUSE_BOUNDARIES | _PHRASE_CONNECTORS | AUXILIARIES_AND_ADVERBS


def _phrase_may_end(tokens: list[Token], k: int, limit: int) -> bool:
    """`Clinton aides said`, `Clinton supporters, …` but not `Clinton supports the plan`."""
    if k >= limit or not tokens[k].is_word:
        return k >= limit or not tokens[k].is_quote
    return tokens[k].lower in _AFTER_SUBJECT - {"that"} or is_speech_verb(tokens, k, strict=False) or _is_adverb(tokens[k])


def _chain_names(tokens: list[Token], end: int, limit: int) -> int:
    """After a name run: `Band member Flea`, `Clinton ally James Carville`, `Minnesota state
    delegate Mary Susan` -- descriptive words between capitalized runs belong to one phrase."""
    for _ in range(3):
        modifiers = _modifier_run(tokens, end, limit, loose=True)
        if end + 1 < limit and tokens[end].lower == "and" and tokens[end - 1].lower in TITLES:
            # `former Ohio Gov. and party Chairman Lena Holm`: two titles, one person
            modifiers = _modifier_run(tokens, end + 1, limit, loose=True)
        if not (end < modifiers < limit and _is_name_word(tokens[modifiers])):
            break
        end = _name_run(tokens, modifiers, limit)
    return end


def _nominal_run(tokens: list[Token], i: int, limit: int) -> int:
    j = i + 1
    # "Another said", "Some argued": these determiners are whole phrases, so a verb may follow at once
    first_noun = i + 1 if tokens[i].lower in _STANDALONE_DETERMINERS else i + 2
    while j < limit and j - i < _MAX_PHRASE:
        token = tokens[j]
        if not token.is_word or token.lower in CLAUSE_BOUNDARIES or token.lower in PERSON_PRONOUNS:
            break
        if _is_adverb(token) or (j >= first_noun and not token.is_capitalized and _looks_like_verb(token)):
            break
        if token.lower == "to" or _time_phrase_at(tokens, j, limit):
            break
        if token.lower in _OBJECT_DETERMINERS and j > first_noun and tokens[j - 1].is_word \
                and tokens[j - 1].lower not in _PHRASE_CONNECTORS:
            return j - 1  # `Hoff’s letter makes a case`: an article after a noun follows a verb
        if token.lower in _PHRASE_CONNECTORS and not _name_follows(tokens, j + 1, limit):
            if _role_of_field(tokens, j, limit):
                j += 2  # "the former secretary of state", "the chief of staff"
                continue
            break
        j += 1
    return j


def _role_of_field(tokens: list[Token], j: int, limit: int) -> bool:
    following = tokens[j + 1] if j + 1 < limit else None
    return (tokens[j].lower == "of" and tokens[j - 1].lower in ROLE_NOUNS | NAME_MODIFIERS and following is not None
            and following.is_word and not following.is_capitalized and following.lower not in _NOT_DESCRIPTIVE)


def _name_follows(tokens: list[Token], k: int, limit: int) -> bool:
    if k < limit and tokens[k].lower == "the":
        k += 1
    return k < limit and tokens[k].is_capitalized


def np_backward(tokens: list[Token], end: int, floor: int) -> int:
    """Start of the longest speaker-like noun phrase ending exactly at `end`; `end` if none."""
    lowest = end
    while lowest > floor and end - lowest < _MAX_PHRASE + 2:
        token = tokens[lowest - 1]
        if not token.is_word and token.text not in "’'-&" or token.lower in CLAUSE_BOUNDARIES:
            break
        if token.lower == "to":
            break
        if is_speech_verb(tokens, lowest - 1):
            break
        lowest -= 1
    for start in range(lowest, end):
        if np_forward(tokens, start, end) == end and phrase_kind(tokens[start:end]) is not None:
            return start
    return end


def phrase_kind(phrase: list[Token]) -> str | None:
    """Classify a candidate speaker phrase, or None when it cannot be one."""
    if not phrase or not phrase[0].is_word:
        return None
    head = phrase[0].lower
    if len(phrase) == 1 and pronoun_of(phrase[0]):
        return "pronoun" if head not in ("i", "we") else None
    if phrase[-1].lower in TIME_NOUNS and not phrase[-1].is_capitalized:
        return None  # "this week", but "The New York Times"
    if head in DETERMINERS or _is_possessive(phrase[0]):
        single_ok = _is_possessive(phrase[0]) or head in _STANDALONE_DETERMINERS
        return "nominal" if len(phrase) > 1 or single_ok else None
    if len(phrase) == 1 and head in NAME_MODIFIERS:
        return None  # "Former …", "Democratic …": a description cut short, not a speaker
    if any(_is_name_word(t) for t in phrase):
        return "name"
    if len(phrase) <= 3 and all(t.is_word and not t.is_capitalized for t in phrase):
        return "nominal"  # "officials", "campaign aides"
    return None


def _bare_plural(tokens: list[Token], i: int, limit: int) -> int:
    """`“…,” officials said`: up to two lowercase words right before a speech verb."""
    for n in (1, 2):
        k = i + n
        plain_words = k < limit and all(
            tokens[m].is_word and not tokens[m].is_capitalized
            and tokens[m].lower not in CLAUSE_BOUNDARIES | DETERMINERS
            and not _is_adverb(tokens[m]) for m in range(i, k))
        if plain_words and is_speech_verb(tokens, k) and tokens[k - 1].lower.endswith("s"):
            return k
    return i


# -- subjects -------------------------------------------------------------------------------------
def _skip_back(tokens: list[Token], i: int, floor: int) -> int:
    """Skip adverbs, auxiliaries and a parenthesis like "(R-Texas)" before position i."""
    while i > floor:
        token = tokens[i - 1]
        if token.is_word and _is_adverb(token):
            i -= 1
        elif token.text == ")":
            j = i - 1
            while j > floor and tokens[j].text != "(":
                j -= 1
            if j <= floor:
                return i
            i = j
        else:
            return i
    return i


_DAYS_AND_MONTHS = word_set("""
monday tuesday wednesday thursday friday saturday sunday january february march april may june july
august september october november december
""")
_TIME_ANCHORS = TIME_NOUNS | _DAYS_AND_MONTHS | word_set("ago")
_TIME_PHRASE_WORDS = _TIME_ANCHORS | word_set("""
on in at during last this that next early late earlier later less more than about nearly almost just
a an one two three four five six seven eight nine ten few several couple of night morning evening
""")


def _time_phrase_at(tokens: list[Token], j: int, limit: int) -> bool:
    """`on Tuesday`, `last week`: a time adverbial ends the noun phrase before it."""
    return (tokens[j].lower in ("on", "in", "at", "last", "this", "during") and j + 1 < limit
            and tokens[j + 1].lower in _DAYS_AND_MONTHS | TIME_NOUNS)


def _before_time_phrase(tokens: list[Token], i: int, floor: int) -> int:
    """`X on Wednesday called`, `X less than two weeks ago said`: the start of a time adverbial
    ending at i, or i when there is none."""
    if i <= floor or tokens[i - 1].lower not in _TIME_ANCHORS and not tokens[i - 1].text.isdigit():
        return i
    k = i
    while k > floor and i - k < 6 and (tokens[k - 1].lower in _TIME_PHRASE_WORDS or tokens[k - 1].text.isdigit()):
        k -= 1
    return k if k > floor and tokens[k].lower not in TIME_NOUNS else i


def subject_before(tokens: list[Token], verb: int, floor: int, text: str) -> Mention | None:
    """The speaker phrase that is the subject of the verb at `verb`."""
    i = _skip_back(tokens, verb, floor)
    i = _skip_back(tokens, _before_time_phrase(tokens, i, floor), floor)
    if i > floor and tokens[i - 1].lower in _RELATIVES:
        if tokens[i - 1].lower == "which":
            return None
        return _subject_over_appositives(tokens, floor, i - 1, text)
    start = np_backward(tokens, i, floor)
    if start < i and start - 2 > floor and tokens[start - 1].lower == "by" and tokens[start - 2].is_word \
            and not tokens[start - 2].is_capitalized and tokens[start - 2].lower.endswith("ed"):
        return subject_before(tokens, start - 2, floor, text)  # `a letter obtained by the AP warns`
    if start < i and start > floor and tokens[start - 1].lower in _ADVERBIAL_PREPOSITIONS:
        return subject_before(tokens, start - 1, floor, text)  # "X in his speech called", "X has in the past said"
    if start < i and not _is_place(tokens[start:i]):
        kind = phrase_kind(tokens[start:i])
        if kind == "nominal":
            named = _name_before_appositive(tokens, floor, start)
            if named < start - 1:
                return _mention(tokens, named, start - 1, "name", text)
        return _mention(tokens, start, i, kind, text)
    if start < i and start > floor and tokens[start - 1].text == ",":
        i = start  # `Lena Holm of Springfield, Ohio, says`: the place is an aside
    if i > floor and tokens[i - 1].text in ",—–":
        return _subject_over_appositives(tokens, floor, i, text)
    if i > floor and tokens[i - 1].lower in ("and", "but"):
        return _earlier_subject(tokens, floor, i - 1, text)
    return None


def _name_before_appositive(tokens: list[Token], floor: int, start: int) -> int:
    """`Lena Holm, the party's spokeswoman said` (no comma closes the appositive): the start of
    the name opening the sentence before the definite description at `start`; start - 1 if none."""
    comma = start - 1
    if comma <= floor or tokens[comma].text != "," or tokens[start].lower != "the":
        return comma
    named = np_backward(tokens, comma, floor)
    return named if named == floor and phrase_kind(tokens[floor:comma]) == "name" else comma


_PLACE_PARTS = word_set("new south north west east san los las st. fort city county d.c. n.h. n.y. calif. fla.")


def _is_place(phrase: list[Token]) -> bool:
    """"South Carolina", "Columbia" after a comma: where someone is from, not who speaks."""
    words = [t.lower for t in phrase]
    return any(w in PLACE_NAMES for w in words) and all(w in PLACE_NAMES or w in _PLACE_PARTS for w in words)


def _earlier_subject(tokens: list[Token], floor: int, end: int, text: str) -> Mention | None:
    """`X criticized … and said “…”`: the subject of the coordinated verb before."""
    for v in range(end - 1, floor - 1, -1):
        if tokens[v].is_word and not tokens[v].is_capitalized and _looks_like_verb(tokens[v]) \
                and not (tokens[v].lower in NOUN_LIKE_VERBS and not _subject_like(_word_before(tokens, v))):
            # "defended the group against recent attacks, but admitted": a noun, not the earlier verb
            if tokens[v].lower.endswith("ing"):
                continue  # `X issued a statement saying … and said`: "said" pairs with "issued"
            mention = subject_before(tokens, v, floor, text)
            if mention is not None and not _is_verb_object(tokens, mention, floor):
                return mention
    return sentence_subject(tokens, floor, end, text)


def _segments_back(tokens: list[Token], floor: int, end: int) -> list[tuple[int, int]]:
    bounds = [k for k in range(floor, end) if tokens[k].text in ",—–"]
    starts = [floor] + [k + 1 for k in bounds]
    ends = bounds + [end]
    return list(reversed(list(zip(starts, ends, strict=True))))


_APPOSITIVE_BREAKS = word_set("and but that when while")
_SUBJECT_LEADS = word_set("as and but")


def _subject_over_appositives(tokens: list[Token], floor: int, end: int, text: str) -> Mention | None:
    """`X, a senior adviser who …, said`: the subject is the earliest name among the
    comma-separated segments before the verb (asides such as ", R-Utah," come after it)."""
    best = None
    for seg_start, seg_end in _segments_back(tokens, floor, end)[:6]:
        if seg_end > seg_start and tokens[seg_end - 1].lower in _TIME_ADVERBS:
            continue  # "Hours later, X …"
        seg_end = _skip_back(tokens, seg_end, seg_start)
        if seg_end <= seg_start:
            continue
        if is_speech_verb(tokens, seg_end - 1):
            return best or subject_before(tokens, seg_end - 1, seg_start, text)
        if tokens[seg_start].lower in _SUBORDINATORS and seg_start + 1 < seg_end \
                and tokens[seg_start + 1].lower.endswith(("ed", "ing")):
            continue  # `X, when asked about Y, responded`: a clause without a subject of its own
        # `X, a delegate and the president of Y, said`: "and" inside a described role
        conjunctions = _APPOSITIVE_BREAKS - {"and"} if tokens[seg_start].lower in DETERMINERS else _APPOSITIVE_BREAKS
        lead = seg_start + 1 if seg_start == floor and tokens[seg_start].lower in _SUBJECT_LEADS else seg_start
        if any(t.is_quote or t.lower in conjunctions for t in tokens[lead:seg_end]):
            break  # but `But Lena Holm, …, said`: a conjunction opening the sentence
        start = np_backward(tokens, seg_end, seg_start)
        if start == seg_end or _is_place(tokens[start:seg_end]):
            continue
        kind = phrase_kind(tokens[start:seg_end])
        named = tokens[start - 1].lower in _NAMING_VERBS  # `a firm called Lena Holm Partners`
        opens_segment = start == seg_start or is_speech_verb(tokens, start - 1) and not named or (
            start - 1 == seg_start and tokens[seg_start].lower in _SUBJECT_LEADS)  # "As X, …, put it:"
        if kind == "pronoun" and opens_segment and best is None:
            return _mention(tokens, start, seg_end, kind, text)
        if kind == "name" and opens_segment:
            best = _mention(tokens, start, seg_end, kind, text)
        elif kind == "nominal" and start == seg_start == floor and best is None:
            return _mention(tokens, start, seg_end, kind, text)
    return best


_LEADING_CONJUNCTIONS = word_set("and but yet so")
_LEADING_ADVERBS = word_set("then also still again finally even only")


def _opening_segments(tokens: list[Token], floor: int, end: int) -> list[tuple[int, int]]:
    """The first three comma-separated segments of a sentence, past a dateline (`WASHINGTON,
    Dec. 8 (UPI) —`, `PORTLAND, Ore. -`)."""
    if floor < end and tokens[floor].text.isupper() and len(tokens[floor].text) > 1:
        dash = next((k for k in range(floor + 1, min(end, floor + 10)) if tokens[k].text in "—–-"), None)
        if dash is not None and not any(t.is_word and t.text[0].islower() for t in tokens[floor:dash]):
            floor = dash + 1
    return list(reversed(_segments_back(tokens, floor, end)))[:3]


def sentence_subject(tokens: list[Token], floor: int, end: int, text: str) -> Mention | None:
    """The first speaker-like noun phrase of the sentence, past leading adverbials."""
    for seg_start, seg_end in _opening_segments(tokens, floor, end):
        if seg_start + 1 < seg_end and tokens[seg_start].lower in _LEADING_CONJUNCTIONS:
            seg_start += 1  # "And Lena Holm, for all her doubts, agrees."
        while seg_start + 1 < seg_end and tokens[seg_start].lower in _LEADING_ADVERBS:
            seg_start += 1  # "And then Lena Holm went on the attack"
        first = tokens[seg_start] if seg_start < end else None
        if first is None or not first.is_word:
            continue
        if first.lower in NOT_NAME_WORDS and first.lower not in DETERMINERS | PERSON_PRONOUNS:
            continue
        if first.is_capitalized and first.lower.endswith(("ing", "ed", "ly")):
            continue  # "Speaking to reporters, …", "Asked about …"
        stop = np_forward(tokens, seg_start, end)
        kind = phrase_kind(tokens[seg_start:stop])
        if kind == "name" and _is_place(tokens[seg_start:stop]):
            continue  # "In Dayton, Ohio, Lena Holm said …"
        if stop + 1 == seg_end and tokens[stop].lower in _TIME_ADVERBS:
            continue  # "Hours later, …", "Two days ago, …"
        if kind is not None:
            return _mention(tokens, seg_start, stop, kind, text)
        if not first.is_capitalized:
            continue
        return None
    return None


# -- cues -----------------------------------------------------------------------------------------
def cue_after(tokens: list[Token], q: int, text: str, any_verb: bool = False) -> Cue | None:
    """`“…,” X said` / `“…,” said X` right after the quote token at q."""
    i = q + 1
    while i < len(tokens) and tokens[i].text in ",;—–-":
        i += 1
    limit = next((k for k in range(i, len(tokens)) if tokens[k].is_quote), len(tokens))
    if i >= limit:
        return None
    j = i
    while j < limit and _is_adverb(tokens[j]):
        j += 1
    if j < limit and (is_speech_verb(tokens, j) or any_verb and _plausible_verb(tokens[j])
                      and _name_then_stop(tokens, j + 1, limit)):  # `“Great!” beamed Lena Holm.`
        end = np_forward(tokens, j + 1, limit)
        if end == j + 1 and _participle_adjective(tokens, j + 1, limit):
            # `said undecided Republican voter Lena Holm`: an -ed adjective opening the description
            end = max(np_forward(tokens, j + 2, limit), j + 1)
        kind = phrase_kind(tokens[j + 1 : end]) if tokens[j + 1].lower not in _CLAUSE_OPENERS else None
        if kind == "pronoun" and end < limit and tokens[end].is_word:
            kind = None  # `said he would`: not an inverted cue
        named = _named_after(tokens, end, limit) if kind == "nominal" else None
        if named is not None:
            return Cue(_mention(tokens, named[0], named[1], "name", text), "inverted", tokens[j].lower)
        if end < limit and tokens[end].lower == "as":
            kind = None  # `described the ordeal as “horrendous”`: the object, not the speaker
        if kind == "nominal":
            end = _nominal_description_end(tokens, end, limit)
        if kind is not None:
            return Cue(_mention(tokens, j + 1, end, kind, text), "inverted", tokens[j].lower)
    end = np_forward(tokens, i, limit)
    kind = phrase_kind(tokens[i:end])
    if kind in (None, "name") and end < limit and tokens[end].is_word and not tokens[end].is_capitalized:
        plural = _bare_plural(tokens, end, limit)  # "Corporate lobbyists said", "Nuclear experts say"
        if plural > end:
            end, kind = plural, "nominal"
    if kind is None:
        end = _bare_plural(tokens, i, limit)
        kind = "nominal" if end > i else None
    if kind is None:
        return None
    if kind == "nominal":
        end = _nominal_subject_end(tokens, end, limit)
    if kind == "name":
        end = _affiliation_end(tokens, end, limit)
    k = _skip_forward_over_aside(tokens, end, limit, kind)
    passive = False
    while k < limit and _is_adverb(tokens[k]):
        passive = passive or tokens[k].lower in _BE_FORMS
        k += 1
    if passive:
        return None  # "The allies were called upon to …"
    if k < limit and (is_speech_verb(tokens, k, strict=False) or any_verb and _plausible_verb(tokens[k])):
        described = kind == "nominal" or not tokens[end - 1].is_capitalized  # `X’s chief of staff`
        named = _appositive_name(tokens, end, k) if described else None
        if named is not None:  # `X’s chief of staff, Lena Holm, told …`: the name given
            return Cue(_mention(tokens, named[0], named[1], "name", text), "after", tokens[k].lower)
        return Cue(_mention(tokens, i, end, kind, text), "after", tokens[k].lower)
    mention = _according_to(tokens, i, min(limit, i + 3), text)
    return Cue(mention, "according") if mention else None


def _participle_adjective(tokens: list[Token], k: int, limit: int) -> bool:
    token = tokens[k]
    return (k + 1 < limit and token.is_word and not token.is_capitalized and token.lower.endswith("ed")
            and token.lower not in SPEECH_VERBS and tokens[k + 1].is_word)


def _appositive_name(tokens: list[Token], end: int, limit: int) -> tuple[int, int] | None:
    """`, Lena Holm,` right after a description: the name set off by commas."""
    if end + 1 >= limit or tokens[end].text != ",":
        return None
    stop = np_forward(tokens, end + 1, limit)
    if stop == end + 1 or phrase_kind(tokens[end + 1 : stop]) != "name" or _is_place(tokens[end + 1 : stop]):
        return None
    return (end + 1, stop) if stop < limit and tokens[stop].text == "," else None


def _named_after(tokens: list[Token], end: int, limit: int) -> tuple[int, int] | None:
    """`said the base chief known as Bob`, `said a farmer named Lena Holm`: the name given."""
    if end >= limit or not (tokens[end - 1].lower == "known" and tokens[end].lower == "as" or tokens[end].lower == "named"):
        return None
    k = end + 1
    stop = _name_run(tokens, k, limit) if k < limit and _is_name_word(tokens[k]) else k
    return (k, stop) if stop > k else None


def _affiliation_end(tokens: list[Token], end: int, limit: int) -> int:
    """`Lena Holm of the Center for Policy Studies wrote`: the affiliation belongs to the name."""
    while end + 1 < limit and tokens[end].lower in _PHRASE_CONNECTORS:
        k = end + 1
        if tokens[k].lower == "the":
            k += 1
        stop = _name_run(tokens, k, limit) if k < limit and tokens[k].is_capitalized else k
        if stop == k:
            break
        end = stop
    return end


def _name_then_stop(tokens: list[Token], i: int, limit: int) -> bool:
    end = np_forward(tokens, i, limit)
    return end > i and phrase_kind(tokens[i:end]) == "name" and (end >= limit or not tokens[end].is_word)


_DESCRIPTION_STOPS = word_set("""
during after before while when last this late early told adding noting saying according
and but because since though although as if
""")
_CIRCUMSTANCES = word_set("""
statement interview email e-mail release call tweet post speech letter appearance conference
briefing rally radio television tv phone memo video op-ed
""")


def _circumstance(tokens: list[Token], k: int, limit: int) -> bool:
    """`on Monday`, `in a statement`, `in an interview with …`: where the description stops."""
    if tokens[k].lower not in ("in", "on", "at", "to", "via"):
        return False
    following = [t for t in tokens[k + 1 : min(limit, k + 4)] if t.is_word]
    return bool(following) and (following[0].lower in NOT_NAME_WORDS - DETERMINERS
                                or any(t.lower in _CIRCUMSTANCES or t.lower in TIME_NOUNS for t in following))


def _nominal_description_end(tokens: list[Token], end: int, limit: int) -> int:
    """`said a Mexican official who was not authorized to speak publicly`: the description after a
    nominal speaker runs on to the end of the sentence, short of a time or circumstance ("on
    Monday", "in a statement") or a comma (`said one adviser, who spoke on the condition of …`)."""
    k = end
    while k < limit and k - end < 30:
        token = tokens[k]
        if token.is_quote or token.text in ".!?;:()[]—–\"“”":
            break
        if token.lower in _DESCRIPTION_STOPS or token.lower in TIME_NOUNS or _circumstance(tokens, k, limit):
            break
        if token.text == ",":
            break  # `said a longtime adviser, who declined to be named`: the aside is not the speaker
        k += 1
    while k > end and not tokens[k - 1].is_word:
        k -= 1
    return k


def _nominal_subject_end(tokens: list[Token], end: int, limit: int) -> int:
    """`a longtime adviser to Trump said`, `one Democrat familiar with the discussion said`: a
    nominal subject runs on to its speech verb."""
    for k in range(end, min(limit, end + 16)):
        token = tokens[k]
        if token.is_quote or token.text in ".!?;:()—–":
            return end
        if token.lower in _DESCRIPTION_STOPS and token.lower not in ("when", "while") or _circumstance(tokens, k, limit):
            return end
        # `a voice-over in the ad states.`: a noun-like verb closing the sentence is the verb
        closing = k + 1 >= limit or not tokens[k + 1].is_word
        if is_speech_verb(tokens, k, strict=not closing):
            stop = k
            while stop > end and (_is_adverb(tokens[stop - 1]) or tokens[stop - 1].text == ","):
                stop -= 1
            return stop
    return end


def _plausible_verb(token: Token) -> bool:
    word = token.lower
    return token.is_word and not token.is_capitalized and word not in CLAUSE_BOUNDARIES and (
        word.endswith(("ed", "s")) or word in IRREGULAR_PAST
    )


def _skip_forward_over_aside(tokens: list[Token], k: int, limit: int, kind: str) -> int:
    """Past `(R-Utah)` and asides such as `, 30, of Raleigh, N.C., who was polled,` to the verb."""
    if k < limit and tokens[k].text == "(":
        k = next((m + 1 for m in range(k, limit) if tokens[m].text == ")"), k)
    if k >= limit or tokens[k].text != "," or kind == "pronoun":
        return k
    verbs = []
    for m in range(k + 1, min(limit, k + 30)):
        if tokens[m].text in ".!?;:" or tokens[m].is_quote:
            break
        if is_speech_verb(tokens, m, strict=False):
            verbs.append(m)
    # the verb after a comma closes the aside; without one, the last verb (`, who is head of Y said`)
    after_comma = [v for v in verbs if _skip_back(tokens, v, k) > k and tokens[_skip_back(tokens, v, k) - 1].text == ","]
    verb = after_comma[0] if after_comma else verbs[-1] if verbs and tokens[k + 1].lower in _RELATIVES else None
    if verb is None:
        return next((m + 1 for m in range(k + 1, min(limit, k + 30)) if tokens[m].text == ","), k)
    while verb > k + 1 and _is_adverb(tokens[verb - 1]):
        verb -= 1
    return verb


def _according_to(tokens: list[Token], floor: int, end: int, text: str) -> Mention | None:
    for k in range(floor, end - 1):
        if tokens[k].lower == "according" and tokens[k + 1].lower == "to":
            stop = np_forward(tokens, k + 2, len(tokens))
            kind = phrase_kind(tokens[k + 2 : stop])
            if kind:
                return _mention(tokens, k + 2, stop, kind, text)
    return None


def leading_according_cue(tokens: list[Token], floor: int, q: int, text: str) -> Cue | None:
    """`According to The Post, X said “…”`, `In a new poll, most voters said “…”`: a source
    opening the sentence vouches for all of it."""
    k = floor
    while k < q and tokens[k].is_word and tokens[k].lower in _LEADING_CONJUNCTIONS:
        k += 1
    if k + 2 >= q:
        return None
    start = k + 2 if tokens[k].lower == "according" and tokens[k + 1].lower == "to" else k + 1
    if start == k + 1 and (tokens[k].lower != "in" or tokens[start].lower not in DETERMINERS):
        return None
    stop = next((m for m in range(start, min(q, start + 14)) if not tokens[m].is_word and tokens[m].text not in "/-&"), q)
    kind = phrase_kind(tokens[start:stop])
    if kind is None or kind == "pronoun" or stop >= q or tokens[stop].text != ",":
        return None
    head = next((m for m in range(start, stop) if tokens[m].lower in _FINDINGS or tokens[m].lower.endswith("ed")), stop)
    if start == k + 1 and (head == stop or tokens[head].lower not in _FINDINGS):
        return None  # `In a new poll, …` vouches; `In a speech, …` only sets the scene
    return Cue(_mention(tokens, start, stop, kind, text), "according")


_FINDINGS = word_set("poll polls survey surveys study report")


def cue_before(tokens: list[Token], floor: int, q: int, text: str,
               verbs: frozenset[str] = SPEECH_VERBS, sentence_floor: int | None = None) -> Cue | None:
    """`X said: “…”`, `X said that “…”`, `said X, “…”`, `according to X, “…”` in tokens[floor:q]."""
    tried = 0
    for v in range(q - 1, floor - 1, -1):
        if tokens[v].text in ".!?":
            break  # "… Blinken said. , not to mention the “America First” policy"
        if not is_speech_verb(tokens, v, verbs):
            continue
        if v > floor and tokens[v - 1].lower == "to":
            continue  # "to counter", "went on to say": the subject belongs to an earlier verb
        if _in_closed_subordinate_clause(tokens, floor, v, q):
            continue  # `When X suggested …, Y fired back: “…”`: the main clause has the speaker
        cue = _cue_at_verb(tokens, floor, v, q, text, verbs, sentence_floor)
        if cue is not None and _names_a_thing(tokens, v, cue):
            # `X shared a syllabus for a class called “Perception”`: the name is X's word for it
            subject = sentence_subject(tokens, floor if sentence_floor is None else sentence_floor, v, text)
            if subject is not None and subject.start != cue.mention.start:
                return Cue(subject, "before", tokens[v].lower)
            continue
        if cue is not None:
            return _outer_cue(tokens, floor, q, text, cue, verbs, sentence_floor)
        tried += 1
        if tried == 2:
            break
    mention = _according_to(tokens, floor, q, text)
    if mention is not None:
        return Cue(mention, "according")
    return None


_NAMING_VERBS = word_set("called dubbed titled entitled named nicknamed labeled labelled")


def _names_a_thing(tokens: list[Token], v: int, cue: Cue) -> bool:
    """`a short film called “Tenemos Familias”`: an indefinite noun phrase right before a naming
    participle that the quote follows is the thing named, not a speaker."""
    return (tokens[v].lower in _NAMING_VERBS and cue.how == "before" and cue.mention.kind == "nominal"
            and cue.mention.text.split()[0].lower() in ("a", "an") and v + 1 < len(tokens)
            and tokens[v + 1].is_quote and tokens[v - 1].end == cue.mention.end)


_SUBORDINATORS = word_set("when whenever after before while if although though because since once until")


def _in_closed_subordinate_clause(tokens: list[Token], floor: int, v: int, q: int) -> bool:
    """The verb at v is in a clause opened by a subordinator and closed by a comma before the quote
    at q, with a subject after that comma."""
    opener = v
    while opener > floor and tokens[opener - 1].text not in ",;:—–":
        opener -= 1
    if tokens[opener].lower not in _SUBORDINATORS:
        return False
    comma = next((k for k in range(v + 1, q) if tokens[k].text == ","), None)
    return comma is not None and np_forward(tokens, comma + 1, q) > comma + 1


def _outer_cue(tokens: list[Token], floor: int, q: int, text: str, cue: Cue,
               verbs: frozenset[str], sentence_floor: int | None) -> Cue:
    """`Critics say he had proposed to “dismantle” it`: a speaker reported by another speaker
    (`X said [that] Y called …`) gives way to the one who reports it."""
    for _ in range(3):
        if cue.how != "before":
            return cue
        k = next((k for k in range(floor, q) if tokens[k].start == cue.mention.start), None)
        if k is None:
            return cue
        v = k - 1 if k - 1 > floor and tokens[k - 1].lower == "that" else k
        if v - 1 <= floor or not is_speech_verb(tokens, v - 1) or tokens[v - 1].lower.endswith("ing"):
            v = _reporting_verb_before(tokens, floor, k)
            if v is None:
                return cue
            v += 1
        outer = _cue_at_verb(tokens, floor, v - 1, q, text, verbs, sentence_floor)
        if outer is None:
            return cue
        cue = outer
    return cue


_CLAUSE_JOINERS = word_set("and but or whereas")


def _reporting_verb_before(tokens: list[Token], floor: int, k: int) -> int | None:
    """`X said he expected that Y will say …`: a speech verb further back in the same clause (no
    comma, conjunction or quote in between) whose complement holds the phrase at k."""
    for v in range(k - 1, floor, -1):
        token = tokens[v]
        if token.is_quote or token.text in ",;:—–()" or token.lower in _CLAUSE_JOINERS:
            return None
        if is_speech_verb(tokens, v) and not token.lower.endswith("ing") and tokens[v - 1].lower != "to":
            # `X said as Y yelled …`, `X tweeted after Y argued …`: an adverbial clause, not what X said
            return None if tokens[v + 1].lower in _SUBORDINATORS | {"as"} else v
    return None


def _cue_at_verb(tokens: list[Token], floor: int, v: int, q: int, text: str,
                 verbs: frozenset[str], sentence_floor: int | None) -> Cue | None:
    agent = _passive_agent(tokens, floor, v, q, text)
    if agent is not None:
        return Cue(agent, "inverted", tokens[v].lower)
    inverted = _inverted_subject(tokens, v, q, text)
    if inverted is not None and v > floor and tokens[v - 1].text == ",":
        return Cue(inverted, "inverted", tokens[v].lower)  # "…, says Carl Anthony, historian, …"
    if tokens[v].lower.endswith("ing") and v > floor and tokens[v - 1].text == ",":
        main = cue_before(tokens, floor if sentence_floor is None else sentence_floor, v - 1, text,
                          verbs)  # `X said, adding that “…”`
        if main is not None:
            return main
        # `X met Y, saying “…”`: the participle goes with the subject of the main clause, not Y
        subject = sentence_subject(tokens, floor if sentence_floor is None else sentence_floor, v - 1, text)
        if subject is not None and subject.kind == "name":
            return Cue(subject, "before", tokens[v].lower)
    participle = tokens[v].lower.endswith("ing")
    if participle and v > floor and tokens[v - 1].lower in _PARTICIPLE_LEADS:
        mention = None  # `X ended his speech by saying “…”`: the subject of the main clause
    else:
        mention = subject_before(tokens, v, floor, text)
    if mention is not None and participle and _is_verb_object(tokens, mention, floor):
        mention = None  # `X issued a statement saying “…”`
    if mention is not None:
        return Cue(mention, "before", tokens[v].lower)
    if inverted is not None:
        return Cue(inverted, "inverted", tokens[v].lower)
    if tokens[v].lower.endswith("ing"):
        mention = sentence_subject(tokens, floor if sentence_floor is None else sentence_floor, v, text)
        if mention is not None:
            return Cue(mention, "before", tokens[v].lower)
    return None


def _passive_agent(tokens: list[Token], floor: int, v: int, q: int, text: str) -> Mention | None:
    """`X was asked by host Y, “…”`: the one asking is the agent after "by", not the subject."""
    k = v - 1
    while k > floor and _is_adverb(tokens[k]) and tokens[k].lower not in _BE_FORMS:
        k -= 1
    if k <= floor or tokens[k].lower not in _BE_FORMS or v + 2 >= q or tokens[v + 1].lower != "by":
        return None
    if tokens[v].lower not in _ADDRESSEE_VERBS:
        return None  # "was called by the party": to call a vote, not to speak
    end = np_forward(tokens, v + 2, q)
    kind = phrase_kind(tokens[v + 2 : end])
    return _mention(tokens, v + 2, end, kind, text) if kind in ("name", "nominal") else None


_TIME_ADVERBS = word_set("later earlier ago afterward afterwards")
_PARTICIPLE_LEADS = word_set("by while when after before without in")


def _is_verb_object(tokens: list[Token], mention: Mention, floor: int) -> bool:
    """The phrase follows a verb (`released a new ad`): it is that verb's object, not a subject."""
    k = next((k for k in range(floor, len(tokens)) if tokens[k].start == mention.start), None)
    if k is None or k == floor:
        return False
    if k - 1 > floor and tokens[k - 1].lower in _PARTICLES:
        k -= 1  # `started out their debate saying`, `put out a statement saying`
    before = tokens[k - 1]
    return before.is_word and not before.is_capitalized and (_looks_like_verb(before) or before.lower in _COMMON_VERBS)


_PARTICLES = word_set("out up off back down")
_COMMON_VERBS = word_set("put puts sent sends posted posts shared shares issue issues released releases began begins")


def _inverted_subject(tokens: list[Token], v: int, q: int, text: str) -> Mention | None:
    if tokens[v].lower in _ADDRESSEE_VERBS:
        return None  # `telling Reuters, “…”`: the one told is not the speaker
    if tokens[v].lower in _NAMING_VERBS or v + 1 < q and tokens[v + 1].lower == "of":
        return None  # `a firm called Lena Holm Partners`, `said of Holm: “…”`: named, not speaking
    end = np_forward(tokens, v + 1, q)
    if phrase_kind(tokens[v + 1 : end]) == "name" and end < q and tokens[end].text in ",:.":
        return _mention(tokens, v + 1, end, "name", text)
    return None


def colon_cue(tokens: list[Token], floor: int, q: int, text: str) -> Cue | None:
    """`Jeffrey Jones: “…”`, `Clinton’s response was: “…”`: the phrase introducing a colon."""
    if q - 1 <= floor or tokens[q - 1].text != ":":
        return None
    end = q - 1
    if tokens[end - 1].lower in ("was", "is", "reads", "read"):
        end -= 1
        if tokens[end - 1].is_word and not tokens[end - 1].is_capitalized and end - 2 >= floor:
            end -= 1  # "response was:"
    start = np_backward(tokens, end, floor)
    kind = phrase_kind(tokens[start:end])
    joint = start - 1 > floor and tokens[start - 1].lower == "and" and _is_name_word(tokens[start - 2])
    if start > floor and tokens[start - 1].is_word and not tokens[start - 1].is_capitalized \
            and tokens[start - 1].lower != "from" and not (joint and kind == "name"):
        # `X told Fox News: “…”`, `later on CNN: “…”`: an object, not the speaker; but
        # `Mark Blumenthal and Jon Cohen: “…”` signs the quote by its authors
        return None
    if kind in ("name", "nominal") and start < end:
        if kind == "nominal" and not _is_possessive(tokens[start]):
            return None
        return Cue(_mention(tokens, start, end, kind, text), "before")
    return None


def colon_clause_cue(tokens: list[Token], floor: int, q: int, text: str) -> Cue | None:
    """`X leaned in and boomed: “…”`, `The campaign had one message: “…”`: a clause about a
    speaker introducing the quote with a colon; its subject speaks."""
    if q - 1 <= floor or tokens[q - 1].text != ":" or any(t.is_quote for t in tokens[floor : q - 1]):
        return None
    mention = sentence_subject(tokens, floor, q - 1, text)
    return Cue(mention, "subject") if mention is not None else None


def sentence_final_cue(tokens: list[Token], q: int, end: int, text: str) -> Cue | None:
    """`Clinton “drew well” in 2008, said professor Paul Beck.`: a cue closing the sentence."""
    for comma in range(end - 2, q, -1):
        if tokens[comma].is_quote:
            return None
        if tokens[comma].text not in ",—–":
            continue
        cue = cue_after(tokens, comma, text)
        if cue is None:
            continue
        after = [t for t in tokens[comma + 1 : end] if t.start >= cue.mention.end]
        if len(after) <= 12 and not any(t.lower == "that" or t.is_quote for t in after):
            return Cue(cue.mention, "final", cue.verb)
    return None


def fragment_cue(tokens: list[Token], floor: int, q: int, text: str) -> Cue | None:
    cue = cue_before(tokens, floor, q, text, verbs=FRAGMENT_VERBS)
    if cue is not None:
        return cue
    mention = sentence_subject(tokens, floor, q, text)
    if mention is not None:
        mention = _author_of_words(tokens, floor, q, mention, text) or mention
    return Cue(mention, "subject") if mention else None


_WORDS_NOUNS = word_set("""
slogan motto mantra refrain catchphrase phrase language words word rhetoric remark remarks comment
comments statement statements claim claims assertion assertions accusation accusations allegation
allegations charge charges response reply answer retort quip joke message tweet tweets argument
arguments promise promises pledge vow plea warning warnings criticism description verdict line lines
""")


def _author_of_words(tokens: list[Token], floor: int, q: int, mention: Mention, text: str) -> Mention | None:
    """`Hillary Clinton’s campaign slogan is “I’m with her”`: a subject naming someone's words
    (slogan, accusation, remarks) credits them to the one whose words they are."""
    k = next((k for k in range(floor, q) if tokens[k].start == mention.start), None)
    if k is None or not tokens[k].is_capitalized:
        return None
    p = k
    while p < q and tokens[p].is_capitalized and not _is_possessive(tokens[p]) and p - k < 4:
        p += 1
    if p >= q or not tokens[p].is_capitalized or not _is_possessive(tokens[p]):
        return None
    for j in range(p + 1, min(q, p + 5)):
        token = tokens[j]
        if not token.is_word or token.is_capitalized:
            return None
        if token.lower in _WORDS_NOUNS:
            return _mention(tokens, k, p + 1, "name", text)
        if _looks_like_verb(token) or token.lower in CLAUSE_BOUNDARIES:
            return None
    return None


def speech_subjects(tokens: list[Token], floor: int, end: int, text: str,
                    resolve: Callable[[Mention], object] | None = None) -> list[Mention]:
    """Subjects of the speech verbs of a sentence (for pronoun salience)."""
    found = []
    for v in range(floor, end):
        if is_speech_verb(tokens, v):
            mention = subject_before(tokens, v, floor, text)
            if mention is not None:
                found.append(mention)
    return found
