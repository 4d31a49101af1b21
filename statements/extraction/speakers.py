"""Resolving a speaker mention ("Blinken", "the secretary", "he") to one name for the article."""
from __future__ import annotations

import bisect
import collections
import datetime
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .attribution import Mention
from .lexicon import (
    FEMALE_FIRST_NAMES,
    MALE_FIRST_NAMES,
    NOT_NAME_WORDS,
    PLACE_NAMES,
    ROLE_NOUNS,
    TITLES,
    word_set,
)
from .model import KnownSpeaker, KnownSpeakers
from .tokens import WORD_INNER

_INITIAL = re.compile(r"[A-Z]\.")
_NAME_TOKEN = re.compile(rf"(?:[A-Z]\.|[A-Z][{WORD_INNER}]*\.?)")
# A run of capitalized words; a full stop only after an initial or an abbreviation ("Sen.", "J."),
# so "… met Cruz. Along the way …" is not one name.
_RUN_WORD = rf"(?:[A-Z]\.|(?:Mr|Mrs|Ms|Dr|Sen|Rep|Gov|Gen|Lt|Col|Sgt|Capt|Adm|Rev|Prof|St|Jr|Sr|Ft|Mt)\.|[A-Z][{WORD_INNER}]*)"
_CAPITALIZED_RUN = re.compile(rf"(?:{_RUN_WORD}[ \u00a0]+(?:of[ \u00a0]+)?)*[A-Z][{WORD_INNER}]*")
_NON_PERSON_WORDS = word_set("""
house department party committee times news post journal university college school street company
inc corp group center centre council association foundation institute agency office court church
state states city county republic union nations army navy force forces club network tv radio fox
cnn msnbc abc nbc cbs magazine press bank fund reserve board campaign administration congress police
senate assembly ministry organization organisation alliance treaty pac media america american
obamacare tribune review daily weekly channel airport hotel tower avenue road island islands
north south east west new los san las united
""")
_TITLE_ROLES = {
    "sen.": "senator", "senator": "senator", "gov.": "governor", "governor": "governor",
    "rep.": "congressman", "representative": "congressman", "president": "president",
    "secretary": "secretary", "minister": "minister", "chancellor": "chancellor",
    "ambassador": "ambassador", "mayor": "mayor", "judge": "judge", "justice": "justice",
    "gen.": "general", "general": "general", "speaker": "speaker", "leader": "leader",
    "chairman": "chairman", "chairwoman": "chairwoman", "director": "director",
}
_ROLE_SYNONYMS = {"congresswoman": "congressman", "representative": "congressman",
                  "lawmaker": "congressman"}
_GENDER_TITLES = {"mr.": "m", "mr": "m", "mrs.": "f", "mrs": "f", "ms.": "f", "ms": "f"}
PRONOUN_GENDER = {"he": "m", "him": "m", "his": "m", "she": "f", "her": "f", "hers": "f"}
# "Institute for Science and International Security": a capitalized run joined to an earlier word
# by "and"/"for" ends an institution's name, not a person's, unless that word is a person's name
# ("Clinton and Bernie Sanders").
_INSTITUTION_TAIL = re.compile(
    r"(?:\b(?:for|of|and|the)[ \u00a0]+[A-Z][\w’'\-]*[ \u00a0]+and|([A-Z][\w’'\-]*)[ \u00a0]+(?:for|&))[ \u00a0]+$")
_CONNECTORS = ("of", "for", "at", "from", "with", "in")
_STRIP = " ,.;:’'\"“”()"
_SUFFIXES = ("jr", "sr", "ii", "iii", "iv")
_GROUP_SUFFIXES = ("ns", "ists", "ics", "ites", "ats")  # not "ers": Sanders, Rogers, Waters
_NOT_LONE_SURNAMES = _NON_PERSON_WORDS | PLACE_NAMES
_INNER_TITLES = word_set("gov. gov sen. sen rep. rep president secretary senator governor mayor director")
_FIRST_NAMES = MALE_FIRST_NAMES | FEMALE_FIRST_NAMES


@dataclass(frozen=True)
class Resolution:
    speaker: str | None
    certainty: float  # how sure the mention -> speaker step is
    person: bool = False
    referent: str | None = None  # the person a nominal such as "the secretary" stands for


def _is_person_like(words: list[str]) -> bool:
    if not 2 <= len(words) <= 4:
        return False
    if any(w.lower().strip(".") in _NON_PERSON_WORDS or w.isupper() and len(w) > 2 for w in words):
        return False
    return all(_NAME_TOKEN.fullmatch(w) and (w.lower().rstrip(".") not in NOT_NAME_WORDS or _INITIAL.fullmatch(w))
               for w in words)


def split_title(words: list[str]) -> tuple[list[str], list[str]]:
    """["Secretary", "of", "State", "Antony", "Blinken"] -> (title words, name words)."""
    k = 0
    while k < len(words) - 1 and (words[k].lower() in TITLES or words[k].lower() in NOT_NAME_WORDS
                                  or words[k][:1].isdigit() or words[k].endswith("-old")):
        k += 1
    return words[:k], words[k:]


def surname(name: str) -> str:
    words = [w for w in name.split() if w.rstrip(".,").lower() not in _SUFFIXES] or name.split()
    return words[-1].rstrip(".,") if words else name


def _looks_feminine(first_name: str) -> bool:
    """An unlisted given name ending in -a is mostly a woman's (Ivana, Malia); a weak last resort."""
    return len(first_name) > 3 and first_name.endswith("a") and first_name not in MALE_FIRST_NAMES


def _strip_possessive(word: str) -> str:
    return word[:-2] if word.endswith(("’s", "'s")) else word


# Searched for with str.find rather than a pattern per word: the surnames are many, and
# compiling theirs took about a sixth of the quote finder's time in a fresh worker process.
def capitalized_inside_sentence(text: str, word: str) -> bool:
    """Whether `word` follows a lower-case letter or a comma and a space, as a whole word (what
    the pattern `[a-z,] word\\b` finds): capitalized within a sentence."""
    needle = " " + word
    return any(
        start > 0 and text[start - 1] in _LOWER_OR_COMMA and _is_boundary(word[-1], _character_at(text, start + len(needle)))
        for start in _occurrences(text, needle)
    )


def says_something(text: str, word: str) -> bool:
    """Whether `word said` stands in `text` as whole words (what the pattern `\\bword said\\b`
    finds)."""
    needle = word + " said"
    return any(
        _is_boundary(_character_at(text, start - 1), word[0]) and _is_boundary("d", _character_at(text, start + len(needle)))
        for start in _occurrences(text, needle)
    )


_LOWER_OR_COMMA = frozenset("abcdefghijklmnopqrstuvwxyz,")


def _occurrences(text: str, needle: str) -> Iterable[int]:
    start = text.find(needle)
    while start != -1:
        yield start
        start = text.find(needle, start + 1)


def _character_at(text: str, position: int) -> str:
    """The character at `position`, or "" beyond either end of the text."""
    return text[position] if 0 <= position < len(text) else ""


def _is_boundary(before: str, after: str) -> bool:
    """Whether the re module's \\b holds between two characters ("" for an end of the text)."""
    return _is_word_character(before) != _is_word_character(after)


def _is_word_character(character: str) -> bool:
    """What the re module's \\w matches in a str pattern."""
    return character.isalnum() or character == "_"


class SpeakerResolver:
    """Names in one article: full names by surname, title holders, genders, recent subjects."""

    def __init__(self, text: str, known_speakers: Sequence[KnownSpeaker] = (),
                 published: datetime.date | None = None):
        self._known = KnownSpeakers.of(known_speakers).by_name_on(published)
        self._full_names: dict[str, str] = {}
        self._role_holders: dict[str, list[tuple[int, str]]] = collections.defaultdict(list)
        self._gender: dict[str, str] = {}
        self._gender_votes: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
        self._subjects: list[tuple[int, str]] = []
        self._mentions: list[tuple[int, str]] = []  # every named person outside quotes
        self._paragraph_starts = [0] + [m.end() for m in re.finditer(r"\n+", text)]
        self._text = text
        self._lone_checked: dict[str, bool] = {}
        self._index_names(text)

    def _index_names(self, text: str) -> None:
        counts: collections.Counter[str] = collections.Counter()
        first_seen: dict[str, int] = {}
        by_surname: dict[str, list[str]] = collections.defaultdict(list)
        for start, titles, name in self._person_runs(text):
            full = " ".join(name)
            counts[full] += 1
            first_seen.setdefault(full, start)
            if full not in by_surname[surname(full)]:
                by_surname[surname(full)].append(full)
            for title in titles:
                role = _TITLE_ROLES.get(title.lower())
                if role:
                    self._role_holders[role].append((start, full))
                gender = _GENDER_TITLES.get(title.lower())
                if gender:
                    self._gender[surname(full)] = gender
        for last, names in by_surname.items():
            self._full_names[last] = max(names, key=lambda n: (counts[n], -first_seen[n]))
        self._shared_surnames = {last for last, names in by_surname.items() if len(names) > 1}
        by_first: dict[str, set[str]] = collections.defaultdict(set)
        for full in self._full_names.values():
            by_first[full.split()[0]].add(full)
        self._by_first_name = {first: names.pop() for first, names in by_first.items()
                               if len(names) == 1 and first.lower() in _FIRST_NAMES}

    @staticmethod
    def _person_runs(text: str) -> list[tuple[int, list[str], list[str]]]:
        """(start, title words, name words) of every capitalized run that looks like a person."""
        runs, joined_words = [], []
        for match in _CAPITALIZED_RUN.finditer(text):
            titles, name = split_title(match.group().split())
            name = [_strip_possessive(w) for w in name]
            inner = [k for k, w in enumerate(name[:-2]) if w.lower() in _INNER_TITLES]
            if inner:  # "New York Gov. Lena Holm"
                titles, name = titles + name[: inner[-1] + 1], name[inner[-1] + 1 :]
            if _is_person_like(name):
                joined = _INSTITUTION_TAIL.search(text, max(0, match.start() - 40), match.start())
                runs.append((match.start(), titles, name))
                joined_words.append(_strip_possessive(joined.group(1) or "") if joined else None)
        persons = {name[-1] for _, _, name in runs} | {name[0] for _, _, name in runs}
        return [run for run, joined in zip(runs, joined_words, strict=True)
                if joined is None or joined in persons or joined.lower() in _FIRST_NAMES]

    # -- learning from the article -------------------------------------------------------------
    def surnames_in(self, words: Iterable[str]) -> set[str]:
        return {_strip_possessive(w) for w in words if _strip_possessive(w) in self._full_names}

    def vote_gender(self, last: str, pronouns: Iterable[str]) -> None:
        for word in pronouns:
            if word in ("he", "she"):
                self._gender_votes[last][PRONOUN_GENDER[word]] += 1

    def gender_of(self, name: str) -> str | None:
        last = surname(name)
        # a lone word that is nobody's surname may be a given name ("Bob said")
        first = name.split()[0].lower() if " " in name or name not in self._full_names else ""
        if first in MALE_FIRST_NAMES and first not in FEMALE_FIRST_NAMES:
            return "m"
        if first in FEMALE_FIRST_NAMES and first not in MALE_FIRST_NAMES:
            return "f"
        if " " in name and (self._full_names.get(last, name) != name or last in self._shared_surnames):
            # "Ivanka Trump" where "Trump" alone means someone else, or where the family name is
            # shared by several people: what is known about "Trump" (Mr. Trump, he) may be about
            # a relative, so her own given name comes first.
            if _looks_feminine(first):
                return "f"
            if self._full_names.get(last, name) != name:
                return None
        if last in self._gender:
            return self._gender[last]
        votes = self._gender_votes.get(last)
        if votes:
            (top, n), *rest = votes.most_common(2) + [(None, 0)]
            if n >= 2 and n >= 3 * rest[0][1]:
                return top
        return "f" if " " in name and _looks_feminine(first) and not self._voted_masculine(last) else None

    def _voted_masculine(self, last: str) -> bool:
        """Even one "he" outweighs the guess from a given name's ending."""
        votes = self._gender_votes.get(last, {})
        return votes.get("m", 0) > votes.get("f", 0)

    def note_subject(self, position: int, resolution: Resolution) -> None:
        """Record a person who is the subject of a sentence: the likely referent of a later he/she."""
        name = resolution.referent or (resolution.speaker if resolution.person else None)
        if name:
            bisect.insort(self._subjects, (position, name))

    def note_mention(self, position: int, resolution: Resolution) -> None:
        """Record a named person mentioned outside quotes, in whatever role."""
        if resolution.person and resolution.speaker:
            bisect.insort(self._mentions, (position, resolution.speaker))

    def _paragraph_of(self, position: int) -> int:
        return bisect.bisect_right(self._paragraph_starts, position)

    # -- resolution ----------------------------------------------------------------------------
    def resolve(self, mention: Mention) -> Resolution:
        known = self._known_speaker(mention.text)
        if known is not None:
            return Resolution(known.name, 1.0, known.kind == "person")
        if mention.kind == "pronoun":
            return self._resolve_pronoun(mention)
        if mention.kind == "name":
            return self._resolve_name(mention.text)
        return self._resolve_nominal(mention)

    def _known_speaker(self, mention_text: str) -> KnownSpeaker | None:
        lowered = mention_text.lower().strip(_STRIP)
        if lowered in self._known:
            return self._known[lowered]
        words = lowered.split()
        cased = mention_text.strip(_STRIP).split()
        for k in range(1, len(words)):
            tail = " ".join(words[k:])
            if tail in self._known and words[k] not in ("the", "a", "an"):
                return None if self._other_given_name(cased, k) else self._known[tail]
        return None

    @staticmethod
    def _other_given_name(words: list[str], k: int) -> bool:
        """"Ivanka Trump" is not the known "Trump": a capitalized non-title word right before a
        known surname is someone else's given name."""
        before = words[k - 1] if len(words) == k + 1 else ""
        return before[:1].isupper() and before.lower() not in TITLES and before.lower() not in NOT_NAME_WORDS

    def _lone_surname(self, word: str) -> bool:
        """A capitalized word never seen in a full name may still be a person ("Zucker said"): when
        it is capitalized inside a sentence too, or says something ("Brack said", but not a plural
        such as "Officials said"), and does not look like a group ("Democrats")."""
        if word in self._lone_checked:
            return self._lone_checked[word]
        person = (word[:1].isupper() and word.lower().strip(".") not in _NOT_LONE_SURNAMES
                  and not word.isupper()
                  and word.lower() not in NOT_NAME_WORDS and not word.endswith(_GROUP_SUFFIXES)
                  and (capitalized_inside_sentence(self._text, word)
                       or not word.endswith("s") and says_something(self._text, word)))
        self._lone_checked[word] = person
        return person

    def _canonical(self, name: str) -> str:
        known = self._known.get(name.lower())
        return known.name if known else name

    def _resolve_name(self, mention_text: str) -> Resolution:
        words = mention_text.strip(_STRIP).split()
        if words and words[0].lower() == "the":
            words = words[1:]
        for k, word in enumerate(words):
            if word in _CONNECTORS and k > 0:
                if all(w.lower() in TITLES or w[:1].islower() for w in words[:k]):
                    words = words[k + 1 :]  # "Secretary of State Lena Holm", "master of ceremonies X"
                    continue
                words = words[:k]  # "Joel Pollak of Breitbart California"
                break
        _, name = split_title(words)
        name = [_strip_possessive(w) for w in name]
        lowercase = [k for k, w in enumerate(name) if w[:1].islower() and w not in ("de", "van", "von", "der", "da", "bin", "al")]
        if lowercase and lowercase[-1] + 1 < len(name):
            name = name[lowercase[-1] + 1 :]  # "Cruz spokeswoman Catherine Frazier"
        titled = [k for k, w in enumerate(name[:-1]) if w.lower() in TITLES]
        if titled:
            name = name[titled[-1] + 1 :]  # "FBI Director James Comey"
        if not name:
            return Resolution(mention_text, 0.5)
        if len(name) == 1:
            full = self._full_names.get(name[0]) or self._by_first_name.get(name[0])
            if full:
                return Resolution(self._canonical(full), 0.95, True)
            return Resolution(self._canonical(name[0]), 0.85, self._lone_surname(name[0]))
        if len(name) > 3 and all(w[:1].isupper() for w in name) and not any(w != _strip_possessive(w) for w in words):
            for k in (3, 2):  # a headline: "Lena Holm Explained Why She Left"
                if self._full_names.get(name[k - 1]) == " ".join(name[:k]) and len(name) - k >= 2:
                    return Resolution(self._canonical(" ".join(name[:k])), 0.9, True)
        full = " ".join(name)
        return Resolution(self._canonical(full), 0.95, _is_person_like(name))

    def _resolve_pronoun(self, mention: Mention) -> Resolution:
        gender = PRONOUN_GENDER.get(re.split(r"[’']", mention.text.lower())[0])
        if gender is None:
            return Resolution(None, 0.3)
        # The nearest subject of the right gender; one whose gender is known beats one whose gender is
        # unknown in the same paragraph; a person merely named in a later paragraph beats both.
        subject = self._nearest(self._subjects, mention.start, gender)
        known = self._nearest(self._subjects, mention.start, gender, strict=True)
        if known is not None and (subject is None or self._later_paragraph(known, subject, or_same=True)):
            subject = known
        named = self._nearest(self._mentions, mention.start, gender, strict=True)
        if named is not None and (subject is None or self._later_paragraph(named, subject)):
            return Resolution(named[1], 0.8, True)
        if subject is not None:
            return Resolution(subject[1], 0.85, True)
        named = self._nearest(self._mentions, mention.start, gender)  # no subject at all: any named person
        if named is not None:
            return Resolution(named[1], 0.7, True)
        return Resolution(None, 0.3)

    def _later_paragraph(self, a: tuple[int, str], b: tuple[int, str], or_same: bool = False) -> bool:
        pa, pb = self._paragraph_of(a[0]), self._paragraph_of(b[0])
        return pa > pb or or_same and pa == pb

    def _nearest(self, candidates: list[tuple[int, str]], position: int, gender: str,
                 strict: bool = False) -> tuple[int, str] | None:
        """The latest candidate before position agreeing in gender (strict: known to agree)."""
        k = bisect.bisect_left(candidates, (position, ""))
        for found, name in reversed(candidates[max(0, k - 8) : k]):
            if position - found > 2500:
                break
            if self.gender_of(name) == gender or not strict and self.gender_of(name) is None:
                return found, name
        return None

    def _resolve_nominal(self, mention: Mention) -> Resolution:
        text = mention.text.strip(_STRIP)
        words = text.split()
        for k, word in enumerate(words[1:], 1):
            if word in _CONNECTORS and k + 1 < len(words) and words[k + 1][:1].isupper():
                inner = self._resolve_name(" ".join(words[k + 1 :]))  # "a spokesman for X"
                return Resolution(inner.speaker, 0.8, False)
        head = words[-1].lower() if words else ""
        role = _ROLE_SYNONYMS.get(head, head)
        if role in ROLE_NOUNS and words[0].lower() == "the":
            # "the secretary" is reported as written (a known speaker's alias resolves it above), but
            # the title holder it stands for is the referent of a later he/she.
            holder = self._latest_before(self._role_holders.get(role, []), mention.start)
            if holder:
                return Resolution(text, 0.75, False, referent=self._canonical(holder))
        if words and words[0].lower() == "the" and len(words) > 1 and words[1][:1].isupper():
            return Resolution(" ".join(words[1:]), 0.8)  # "the White House"
        return Resolution(text, 0.7)

    @staticmethod
    def _latest_before(holders: list[tuple[int, str]], position: int) -> str | None:
        before = [name for pos, name in holders if pos < position]
        return before[-1] if before else None
