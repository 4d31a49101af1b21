"""extract_quotes: quoted spans -> kinds -> speaker cues -> resolved speakers."""
from __future__ import annotations

import datetime
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from .attribution import (
    Cue,
    Mention,
    colon_clause_cue,
    colon_cue,
    cue_after,
    cue_before,
    fragment_cue,
    is_speech_verb,
    leading_according_cue,
    name_mentions,
    np_forward,
    phrase_kind,
    sentence_final_cue,
    sentence_subject,
)
from .lexicon import FRAGMENT_VERBS, SPEAKER_NOUNS, word_set
from .model import ExtractedQuote, KnownSpeaker
from .quotes import Paragraph, QuotedSpan, find_quoted_spans, mask_markup, paragraphs
from .speakers import PRONOUN_GENDER, Resolution, SpeakerResolver
from .tokens import Token, paragraph_tokens, split_sentences, word_tokens

# How much a way of finding the speaker is worth (times the certainty of resolving the mention).
_CUE_CERTAINTY = {"final": 0.85, "after": 0.95, "inverted": 0.95, "before": 0.9, "according": 0.85,
                  "subject": 0.6, "paragraph": 0.7, "next-quote": 0.75, "continued": 0.8,
                  "previous-paragraph": 0.55}
_TRAILING_CUE_MAX_TOKENS = 14


@dataclass
class _Found:
    span: QuotedSpan
    kind: str
    cue: Cue | None = None
    how: str | None = None
    resolution: Resolution = field(default_factory=lambda: Resolution(None, 0.0))


def extract_quotes(text: str, *, known_speakers: Sequence[KnownSpeaker] = (),
                   published: datetime.date | None = None) -> list[ExtractedQuote]:
    masked = mask_markup(text)
    paras = paragraphs(masked)
    spans = find_quoted_spans(masked, paras)
    for span in spans:
        _cut_trailing_attribution(masked, span)
    resolver = SpeakerResolver(masked, known_speakers, published)
    by_paragraph: dict[int, list[int]] = {}
    for qid, span in enumerate(spans):
        by_paragraph.setdefault(span.paragraph, []).append(qid)
    tokenized = [paragraph_tokens(masked, p.start, p.end, spans, by_paragraph.get(p.index, []))
                 for p in paras]
    for tokens in tokenized:
        _vote_genders(tokens, resolver)
        _note_named_persons(masked, tokens, resolver)
    found: list[_Found] = []
    previous = Resolution(None, 0.0)
    for para, tokens in zip(paras, tokenized, strict=True):
        signer = _sign_off(masked, tokens)
        if signer is not None and found and found[-1].span.paragraph == para.index - 1:
            _sign_previous_quotes(found, signer, resolver.resolve(signer))
        items, last = _attribute_paragraph(masked, para, tokens, spans, resolver, previous, found)
        _sign_inside_quotes(masked, items, resolver)
        found.extend(items)
        previous = last if last.speaker else previous
    return [_to_quote(text, item) for item in found if _is_kept(masked, item)]


def _cut_trailing_attribution(text: str, span: QuotedSpan) -> None:
    """`“China uses coercion … international law Blinken said at a news conference.` (no closing
    mark): the quote ends where the attribution begins."""
    if span.close_mark is not None or span.continues_next:
        return
    tokens = word_tokens(text, span.start, span.end)
    for v in range(len(tokens) - 1, 0, -1):
        if len(tokens) - v > _TRAILING_CUE_MAX_TOKENS or tokens[v].text in ".!?" and v < len(tokens) - 1:
            return
        if not is_speech_verb(tokens, v):
            continue
        start = v
        while start > 1 and tokens[start - 1].is_capitalized:
            start -= 1
        if start == v and phrase_kind(tokens[v - 1 : v]) == "pronoun":
            start = v - 1
        if 0 < start < v and phrase_kind(tokens[start:v]) in ("name", "pronoun"):
            end = tokens[start].start
            while end > span.start and (text[end - 1].isspace() or text[end - 1] in ",;:—–-"):
                end -= 1
            span.end = end
            return


_INFERRED = (None, "paragraph", "previous-paragraph", "continued", "next-quote")


def _sign_off(text: str, tokens: list[Token]) -> Mention | None:
    """A paragraph that is only a dash and a name (`— Lena Holm, in a radio interview.`) signs the
    quote before it."""
    if len(tokens) < 2 or tokens[0].text not in "—–-" or any(t.is_quote for t in tokens):
        return None
    end = np_forward(tokens, 1, len(tokens))
    if phrase_kind(tokens[1:end]) != "name" or end < len(tokens) and tokens[end].text not in ",.(":
        return None
    return Mention(text[tokens[1].start : tokens[end - 1].end], tokens[1].start, tokens[end - 1].end, "name")


def _sign_previous_quotes(found: list[_Found], signer: Mention, resolution: Resolution) -> None:
    paragraph = found[-1].span.paragraph
    for item in reversed(found):
        if item.span.paragraph != paragraph:
            break
        if item.kind == "full" and item.how in _INFERRED:
            item.cue, item.how, item.resolution = Cue(signer, "after"), "after", resolution


# A quote left open at the end of its paragraph and closed after a line that is only a name and an
# affiliation is a pull quote signed by that name (`“We need stimulus.\nLena Holm, Economic Policy
# Institute.”`).
_SIGNATURE_LINE = re.compile(
    r"[ \t]*\n+[ \t]*((?:[A-Z][\w’'.\-]*[ \u00a0]+){1,3}[A-Z][\w’'\-]*)(?:,[^\n\"”“]{0,100})?[.]?[\"”][ \t]*(?:\n|$)")


def _sign_inside_quotes(text: str, items: list[_Found], resolver: SpeakerResolver) -> None:
    for item in items:
        if item.kind != "full" or item.how not in _INFERRED or item.span.close_mark is not None:
            continue
        signed = _SIGNATURE_LINE.match(text, item.span.end)
        if signed is None:
            continue
        mention = Mention(signed.group(1), signed.start(1), signed.end(1), "name")
        resolution = resolver.resolve(mention)
        if resolution.person:
            item.cue, item.how, item.resolution = Cue(mention, "after"), "after", resolution


def _vote_genders(tokens: list[Token], resolver: SpeakerResolver) -> None:
    """A paragraph naming one person only: its he/she pronouns are evidence of that person's gender."""
    words = [t.text for t in tokens if t.is_word]
    names = resolver.surnames_in(words)
    if len(names) == 1:
        resolver.vote_gender(names.pop(), [w.lower() for w in words if w.lower() in PRONOUN_GENDER])


def _note_named_persons(text: str, tokens: list[Token], resolver: SpeakerResolver) -> None:
    """Every named person outside quotes is a candidate for a later he/she."""
    for mention in name_mentions(tokens, text):
        if not mention.text.endswith(("’s", "'s", "s’", "s'")):
            resolver.note_mention(mention.start, resolver.resolve(mention))


def _attribute_paragraph(text: str, para: Paragraph, tokens: list[Token], spans: list[QuotedSpan],
                         resolver: SpeakerResolver, previous: Resolution,
                         found_before: list[_Found]) -> tuple[list[_Found], Resolution]:
    items: list[_Found] = []
    last = Resolution(None, 0.0)  # the paragraph's latest speaker so far
    for floor, end in _sentence_bounds(tokens):
        last = _note_sentence_subjects(text, tokens, floor, end, resolver, last)
        if end == len(tokens) and tokens[end - 1].text == ":" and not any(t.is_quote for t in tokens[floor:end]):
            last = _introducer(text, tokens, floor, end, resolver) or last
        quote_floor = floor
        for q in range(floor, end):
            if not tokens[q].is_quote:
                continue
            span = spans[tokens[q].quote]
            kind = _quote_kind(tokens, floor, q, span, text)
            cue = _find_cue(tokens, floor, end, quote_floor, q, kind, text)
            item = _Found(span, kind, cue, cue.how if cue else None)
            if cue is not None:
                item.resolution = resolver.resolve(cue.mention)
                resolver.note_subject(cue.mention.start, item.resolution)
                if cue.how == "subject" and cue.mention.kind == "name" and not item.resolution.person and last.speaker:
                    # "Guns are “a crisis”": a sentence about a thing; the paragraph's speaker said it
                    item.how, item.resolution = "paragraph", last
            elif kind == "full" and last.speaker:
                item.how, item.resolution = "paragraph", last
            if item.resolution.speaker and item.cue is not None:
                last = item.resolution
            items.append(item)
            quote_floor = q + 1
    _inherit_from_next_quote(items)
    _inherit_from_previous_paragraph(items, previous, found_before)
    closing = _closing_subject(text, tokens, resolver)
    if closing is not None and not items:
        last = closing
    return items, last


def _closing_subject(text: str, tokens: list[Token], resolver: SpeakerResolver) -> Resolution | None:
    """A paragraph ending on a sentence about a person (`X praised the plan.`) introduces X as the
    speaker of an unattributed quote that follows."""
    floor, end = _sentence_bounds(tokens)[-1] if tokens else (0, 0)
    if end == floor or any(t.is_quote for t in tokens[floor:end]):
        return None
    subject = sentence_subject(tokens, floor, end, text)
    if subject is None or subject.kind == "nominal":
        return None
    resolution = resolver.resolve(subject)
    return resolution if resolution.speaker and resolution.person else None


def _note_sentence_subjects(text: str, tokens: list[Token], floor: int, end: int,
                            resolver: SpeakerResolver, last: Resolution) -> Resolution:
    """Persons who are subjects in the sentence become candidates for a later he/she; the subject
    of a speech verb outside quotes becomes the paragraph's latest speaker."""
    subject = sentence_subject(tokens, floor, end, text)
    if subject is not None:
        resolver.note_subject(subject.start, resolver.resolve(subject))
    for v in range(floor, end):
        if is_speech_verb(tokens, v) and not any(t.is_quote for t in tokens[v:end]):
            cue = cue_before(tokens, floor, v + 1, text) or cue_after(tokens, v - 1, text) if v > floor else None
            if cue is not None:
                resolution = resolver.resolve(cue.mention)
                resolver.note_subject(cue.mention.start, resolution)
                if resolution.speaker:
                    last = resolution
    return last


def _introducer(text: str, tokens: list[Token], floor: int, end: int,
                resolver: SpeakerResolver) -> Resolution | None:
    """`X released the following statement:` closing a paragraph: X speaks in the next one."""
    cue = cue_before(tokens, floor, end, text)
    mention = cue.mention if cue is not None else sentence_subject(tokens, floor, end, text)
    if mention is None or mention.kind == "pronoun" and cue is None:
        return None
    resolution = resolver.resolve(mention)
    return resolution if resolution.speaker else None


def _find_cue(tokens: list[Token], floor: int, end: int, quote_floor: int, q: int, kind: str,
              text: str) -> Cue | None:
    leading = leading_according_cue(tokens, floor, q, text)
    if leading is not None:
        return leading
    if kind == "full":
        introduced = q > quote_floor and tokens[q - 1].text in ",:" and tokens[q].ends_sentence
        # `X said, “A.” Y replied …`: a quote introduced and closed in its sentence keeps its cue
        cue = cue_before(tokens, quote_floor, q, text, sentence_floor=floor) if introduced else None
        cue = cue or _own_cue_after(tokens, q, text, kind)
        cue = cue or _closing_report(tokens, q, end, text)
        cue = cue or cue_before(tokens, quote_floor, q, text, sentence_floor=floor)
        cue = cue or colon_cue(tokens, quote_floor, q, text)
        cue = cue or sentence_final_cue(tokens, q, end, text)
        return cue or colon_clause_cue(tokens, floor, q, text)
    cue = _closing_cue_after(tokens, q, end, text) or _closing_report(tokens, q, end, text)
    cue = cue or cue_before(tokens, quote_floor, q, text, verbs=FRAGMENT_VERBS, sentence_floor=floor)
    cue = cue or _own_cue_after(tokens, q, text, kind) or sentence_final_cue(tokens, q, end, text)
    return cue or _participle_clause_cue(tokens, floor, q, text) or fragment_cue(tokens, floor, q, text)


def _participle_clause_cue(tokens: list[Token], floor: int, q: int, text: str) -> Cue | None:
    """`Calling the plan “a disaster,” Lena Holm said …`: words in a participle clause opening the
    sentence belong to the subject of the main clause right after it."""
    opener = tokens[floor]
    if not (opener.is_capitalized and opener.lower.endswith("ing") and opener.lower in FRAGMENT_VERBS):
        return None
    if any(t.text in ",;:" or t.is_quote for t in tokens[floor + 1 : q]):
        return None
    return cue_after(tokens, q, text, any_verb=True)


_REPORTING_VERBS = word_set("reported reports")


def _closing_report(tokens: list[Token], q: int, end: int, text: str) -> Cue | None:
    """`X welcomed the news, calling it “the right thing,” CNN reported.`: an outlet reporting the
    whole sentence is the source of the quoted words in it."""
    cue = sentence_final_cue(tokens, q, end, text)
    return cue if cue is not None and cue.verb in _REPORTING_VERBS else None


def _closing_cue_after(tokens: list[Token], q: int, end: int, text: str) -> Cue | None:
    """`The states account for half and “better reflect …,” Lena Holm wrote.`: quoted words closed
    by a comma and followed by a speaker and a speech verb ending the sentence are that speaker's,
    whatever verb came before them."""
    if not text[tokens[q].start : tokens[q].end].rstrip("\"”“’' ").endswith(","):
        return None
    cue = cue_after(tokens, q, text)
    if cue is None or cue.how not in ("after", "inverted"):
        return None
    rest = [t for t in tokens[q + 1 : end] if t.start >= cue.mention.end and t.text not in ".!?"]
    if any(t.is_quote for t in rest):
        return None
    # `…,” says Lena Holm, a longtime party activist.`: an appositive may follow the speaker
    return cue if len(rest) <= 4 or cue.how == "inverted" and rest[0].text == "," else None


def _own_cue_after(tokens: list[Token], q: int, text: str, kind: str) -> Cue | None:
    """A cue after the quote, unless it introduces the next quote (`“A.” He added: “B.”`)."""
    quote_words = text[tokens[q].start : tokens[q].end].rstrip("\"”“ ")
    cue = cue_after(tokens, q, text, any_verb=quote_words.endswith((",", "?", "!")))
    if cue is None:
        return None
    introduces_next = _introduces_next_quote(tokens, q, cue)
    if introduces_next and (tokens[q].ends_sentence or kind == "fragment"):
        return None
    return cue


def _introduces_next_quote(tokens: list[Token], q: int, cue: Cue) -> bool:
    k = q + 1
    while k < len(tokens) and tokens[k].end <= cue.mention.end:
        k += 1
    while k < len(tokens) and not tokens[k].is_quote and tokens[k].text not in ".!?":
        if tokens[k].text == ":" or tokens[k].text == "," and k + 1 < len(tokens) and tokens[k + 1].is_quote:
            return True
        k += 1
    return False


def _sentence_bounds(tokens: list[Token]) -> list[tuple[int, int]]:
    bounds, start = [], 0
    for sentence in split_sentences(tokens):
        bounds.append((start, start + len(sentence)))
        start += len(sentence)
    return bounds


def _quote_kind(tokens: list[Token], floor: int, q: int, span: QuotedSpan, text: str) -> str:
    if q == floor or span.continues_previous:
        return "full"
    before = tokens[q - 1]
    if before.text in ":—–" or before.is_quote:
        return "full"
    words = text[span.start : span.end].split()
    ends_sentence = tokens[q].ends_sentence or q + 1 >= len(tokens) or tokens[q + 1].text in ".!?"
    if before.text == ",":
        if any(is_speech_verb(tokens, k) for k in range(floor, q - 1)):
            return "full"
        if len(words) >= 4 and cue_after(tokens, q, text) is not None:
            return "full"
    if before.lower == "that" and ends_sentence and len(words) >= 8:
        return "full"
    return "fragment"


def _inherit_from_next_quote(items: list[_Found]) -> None:
    """`“A.” “B,” she said.`: a full quote without a speaker takes the following quote's cue."""
    for k in range(len(items) - 2, -1, -1):
        item, following = items[k], items[k + 1]
        if item.resolution.speaker is None and item.kind == "full" and following.how in ("after", "inverted"):
            item.how, item.resolution = "next-quote", following.resolution


def _inherit_from_previous_paragraph(items: list[_Found], previous: Resolution,
                                     found_before: list[_Found]) -> None:
    if not items or items[0].resolution.speaker is not None or items[0].kind != "full":
        return
    if items[0].span.continues_previous and found_before:
        source, how = found_before[-1].resolution, "continued"
    else:
        source, how = previous, "previous-paragraph"
    for item in items:
        if item.resolution.speaker is None and item.kind == "full":
            item.how, item.resolution = how, source
    _propagate_back_through_continuation(items, found_before)


def _propagate_back_through_continuation(items: list[_Found], found_before: list[_Found]) -> None:
    """A multi-paragraph quote attributed only at its end: earlier paragraphs get that speaker."""
    first = items[0]
    if not first.span.continues_previous or first.how not in ("after", "inverted", "before"):
        return
    for earlier in reversed(found_before):
        if earlier.how in ("after", "inverted", "before") or not earlier.span.continues_next:
            break
        earlier.how, earlier.resolution = "continued", first.resolution


_TITLE_MINOR_WORDS = word_set("a an the and or nor but of to in on at for by with from as vs")


def _is_kept(text: str, item: _Found) -> bool:
    if item.kind == "full":
        return not _lone_word_paragraph(text, item.span)
    if item.cue is None or item.resolution.speaker is None:
        return False
    if item.span.scare_quoted and (item.how not in ("before", "final", "according") or item.cue.mention.kind == "pronoun"):
        return False  # a title or a label, unless a named speaker is said to have used the words
    if _names_a_program(text, item.span):
        return False
    if item.cue.how == "subject" and _common_word(text, item.cue.mention):
        return False  # `Once a small fringe, this “alternative” …`: a capitalized word, no subject
    if item.how != "subject":
        return True
    # Without a speech verb, only a person as the sentence's subject makes a fragment someone's
    # words, and a title (“The Walking Dead”, “Gang of Eight”) is nobody's.
    if item.cue.mention.kind == "nominal" and not _speaker_description(item.cue.mention):
        return False
    return not _is_title(text[item.span.start : item.span.end])


def _speaker_description(mention: Mention) -> bool:
    """`The ad claims “…”`, `The council condemned “…”`: a description whose head can speak."""
    head = re.sub(r"[’']s?$", "", mention.text.split()[-1].lower())
    return head in SPEAKER_NOUNS


def _common_word(text: str, mention: Mention) -> bool:
    """A one-word name ("Once", "Questions") that the article also writes in lowercase is an
    ordinary word opening the sentence."""
    word = mention.text
    return (mention.kind == "name" and word.isalpha() and not word.isupper()
            and re.search(rf"(?<![^\W\d_]){re.escape(word.lower())}(?![^\W\d_])", text) is not None)


def _lone_word_paragraph(text: str, span: QuotedSpan) -> bool:
    """`"Related:"`, `"Nooooo!"`: a paragraph that is one quoted word is a label or a shout, not a
    statement."""
    start = text.rfind("\n", 0, span.start) + 1
    end = text.find("\n", span.end)
    paragraph = text[start : len(text) if end < 0 else end]
    return len(re.findall(r"\w+", paragraph)) == 1


def _is_title(words: str, least: int = 2) -> bool:
    """Two (least) or more words, each capitalized but for short function words."""
    found = re.findall(r"[^\W\d_][\w’'-]*", words)
    return len(found) >= least and found[0][0].isupper() and all(
        w[0].isupper() or w.lower() in _TITLE_MINOR_WORDS for w in found)


_PROGRAM_LEAD = re.compile(r"(?:\w(?:’s|'s|s’|s')|\b(?:on|told|with))\W*$")


def _names_a_program(text: str, span: QuotedSpan) -> bool:
    """`told NBC’s “Today”`, `appeared on “Meet the Press”`: a capitalized title after a possessive
    or "on" names a show, a book or a slogan, not words someone said."""
    before = text[max(0, span.start - 40) : span.start]
    return _is_title(text[span.start : span.end], least=1) and _PROGRAM_LEAD.search(before) is not None


def _to_quote(text: str, item: _Found) -> ExtractedQuote:
    span, resolution = item.span, item.resolution
    has_speaker = resolution.speaker and item.how
    confidence = resolution.certainty * _CUE_CERTAINTY[item.how] if has_speaker else 0.3
    if item.kind == "fragment":
        confidence *= 0.9
    if span.close_mark is None and not span.continues_next:
        confidence *= 0.85
    return ExtractedQuote(
        text=text[span.start : span.end], start=span.start, end=span.end, speaker=resolution.speaker,
        speaker_mention=item.cue.mention.text if item.cue else None, kind=item.kind,
        confidence=round(min(1.0, max(0.0, confidence)), 3),
    )
