import datetime
import json

import pytest
from django.core.management import call_command
from django.urls import reverse

from statements.models import Article, Quote, Topic
from statements.search import parse_query, quote_search
from tests.factories import make_article, make_quote, make_source, make_speaker

pytestmark = pytest.mark.django_db

COERCIVE = "There is no doubt that Beijing’s coercive behavior threatens our collective security and prosperity and that it is actively working to downplay the rules of the international system and the values we share with our allies"


def search(client, **params):
    response = client.get(reverse("statements:search"), params)
    assert response.status_code == 200, response.status_code
    return response


def result_texts(response):
    return [quote.text for quote, *_ in response.context["results"]]


def api(client, **params):
    response = client.get(reverse("statements:api-search"), params)
    return response.status_code, json.loads(response.content)


# --- ranking, phrases, operators ------------------------------------------------------


def test_exact_phrase_puts_blinkens_quote_first(client, indexed_seed):
    response = search(client, q='"coercive behavior"')
    assert result_texts(response)[0] == COERCIVE
    assert response.context["search"].outcome.total == 1


def test_plain_words_rank_the_phrase_quote_first(client, indexed_seed):
    assert result_texts(search(client, q="coercive behavior"))[0] == COERCIVE


def test_phrase_is_not_stemmed(client, search_index):
    make_quote(make_article("Intro. “Their coercive behaviors worry us,” he said."), "Their coercive behaviors worry us")
    exact = make_quote(make_article("Intro. “Such coercive behavior must stop,” she said."), "Such coercive behavior must stop")
    search_index()
    assert result_texts(search(client, q='"coercive behavior"')) == [exact.text]
    assert len(result_texts(search(client, q="coercive behavior"))) == 2  # words are stemmed


PHRASES_OF_FREQUENT_WORDS = {
    "Intro. “We said that that was the end of it,” he said.": "We said that that was the end of it",
    "Intro. “That was it. That is what we said,” he said.": "That was it. That is what we said",
    "Intro. “It is the law and it is not the end,” she said.": "It is the law and it is not the end",
    "Intro. “The law is it, the end is near,” she said.": "The law is it, the end is near",
    "Intro. “It is clear what is the rule,” she said.": "It is clear what is the rule",  # both pairs, apart
}


@pytest.mark.parametrize("pairs_indexed", [True, False])
def test_phrases_of_frequent_words_match_only_where_the_words_stand_together(client, search_index, monkeypatch, pairs_indexed):
    """Pairs of frequent words narrow a phrase from their own postings (search_backend._phrase_ids);
    an index written before pairs existed answers the same from the rarest word."""
    if not pairs_indexed:
        from statements import search_backend

        monkeypatch.setattr(search_backend.WordPairsText, "posting_columns", lambda field, value: ([], [], [], []))
    quotes = [make_quote(make_article(text), words) for text, words in PHRASES_OF_FREQUENT_WORDS.items()]
    search_index()
    said_that, that_was, it_is, _, _ = (quote.text for quote in quotes)
    assert result_texts(search(client, q='"that that"')) == [said_that]
    assert sorted(result_texts(search(client, q='"that was"'))) == sorted([said_that, that_was])
    assert result_texts(search(client, q='"it is the"')) == [it_is]
    assert result_texts(search(client, q='"it is not the end"')) == [it_is]
    assert result_texts(search(client, q='"is it the"')) == [quotes[3].text]  # punctuation is not a word
    assert result_texts(search(client, q='"the it is"')) == []
    assert search(client, q='"what we said"').context["search"].outcome.total == 1


def test_phrase_results_rank_quotes_saying_the_phrase_more_often_and_shorter_first(client, search_index):
    texts = [
        "Trade talks resume on Monday, and trade talks matter, trade talks said the minister again",
        "Trade talks resume",
        "We expect that the long and difficult trade talks resume soon after the summit in the autumn",
        "Trade talks, trade talks, trade talks resume",
        "Talks on trade resume but trade talks do not",  # the words again, apart: not the phrase
    ]
    for number, words in enumerate(texts):
        make_quote(make_article(f"Item {number}. “{words},” she said."), words)
    search_index()
    assert result_texts(search(client, q='"trade talks"')) == [texts[3], texts[0], texts[1], texts[4], texts[2]]
    assert result_texts(search(client, q='"trade talks resume"')) == [texts[1], texts[3], texts[0], texts[2]]


def test_a_phrase_of_frequent_words_ranks_by_how_often_it_is_said(client, search_index):
    texts = ["It is what it is, and it is so", "It is done and we are glad of it all", "Is it over? It is, at last"]
    for number, words in enumerate(texts):
        make_quote(make_article(f"Item {number}. “{words},” she said."), words)
    search_index()
    assert result_texts(search(client, q='"it is"')) == [texts[0], texts[2], texts[1]]  # then the shorter


@pytest.mark.parametrize(
    "q", ["trade talks", "trade OR resume OR minister", "trade -monday", "talks resume OR summit", "summit trade", "tal*", "trad* summit", "trade -resum*"]
)
def test_the_search_pages_ranking_is_whooshs_own_across_index_segments(search_index, monkeypatch, q):
    from haystack import connections

    from statements.search import Filters

    texts = [
        "Trade talks resume on Monday, and trade talks matter, trade talks said the minister again",
        "Trade talks resume",
        "We expect that the long and difficult trade talks resume soon after the summit in the autumn",
        "Trade talks, trade talks, trade talks resume",
        "Talks on trade resume but trade talks do not",
        "The minister said trade is good and talks are better than a summit",
        "A summit on trade, a summit on talks, a summit on Monday",
    ]
    # Many more quotes with "trade" than with "summit": a few documents among a term's many
    # postings are looked up in them rather than read through.
    texts += [f"Trade, {' and '.join(['trade'] * (number % 4 + 1))}, talked of at tables {number}" for number in range(40)]
    quotes = []
    for number, words in enumerate(texts):
        quotes.append(make_quote(make_article(f"Item {number}. “{words},” she said."), words))
        if number in (2, 4):
            search_index()  # a segment of its own, as commits between searches make
    search_index()
    # Withdrawn after indexing: deleted documents in each of the segments, which neither
    # path may find (a prefix's words are read from the segment's terms, deletions included).
    for withdrawn in (quotes[1], quotes[3], quotes[10]):
        withdrawn.status = Quote.Status.REJECTED
        withdrawn.save()
    search_index()
    assert len(connections["default"].get_backend().searcher().leaf_searchers()) >= 3
    parsed = parse_query(q)
    with_facets = list(quote_search(parsed, Filters())[:60])  # the page's own path
    exported = list(quote_search(parsed, Filters(), facets=False)[:60])
    monkeypatch.setattr(connections["default"].get_backend(), "direct_search", False)
    by_whoosh = list(quote_search(parsed, Filters(), facets=False)[:60])  # Whoosh's own walk
    assert len(by_whoosh) >= 3
    assert not {quote.pk for quote in (quotes[1], quotes[3], quotes[10])} & {int(hit.pk) for hit in with_facets}
    assert [hit.pk for hit in exported] == [hit.pk for hit in with_facets]
    assert [hit.pk for hit in with_facets] == [hit.pk for hit in by_whoosh]
    # The same scores, but for Whoosh's path also scoring the model restriction (a constant).
    offsets = {round(ours.score - whooshs.score, 9) for ours, whooshs in zip(with_facets, by_whoosh, strict=True)}
    assert len(offsets) == 1


def test_exact_phrases_match_the_quotes_whooshs_own_phrase_matcher_finds(search_index, monkeypatch):
    """The page's path finds a phrase's documents from its words' postings, reading positions
    only where every word is (search_backend._phrase_starts): the same quotes as Whoosh's
    phrase matcher, for words frequent and rare, pairs of frequent words, and words that are
    all in a quote but not side by side."""
    import random

    from haystack import connections

    from statements.search import Filters

    rng = random.Random(8)
    common = ["the", "that", "it", "is", "trade", "talks", "from", "into", "climate", "crisis"]
    rare = ["summit", "tariffs", "monday"]
    for number in range(200):
        words = " ".join(rng.choice(common if rng.random() < 0.9 else rare) for _ in range(rng.randint(6, 24)))
        make_quote(make_article(f"Item {number}. “{words},” she said."), words)
        if number in (70, 140):
            search_index()  # segments of their own
    search_index()
    assert len(connections["default"].get_backend().searcher().leaf_searchers()) >= 3
    phrases = ['"from into"', '"climate crisis"', '"trade talks summit"', '"that it is"', '"it is the"', '"into trade talks"', '"tariffs monday"', '"crisis the climate"']

    def found(q):
        return {hit.pk for hit in quote_search(parse_query(q), Filters(), facets=False)[:500]}

    ours = {q: found(q) for q in phrases}
    monkeypatch.setattr(connections["default"].get_backend(), "direct_search", False)
    whooshs = {q: found(q) for q in phrases}
    assert ours == whooshs
    assert sum(1 for ids in whooshs.values() if ids) >= 6
    assert any(len(ids) >= 15 for ids in whooshs.values())


def test_prefix_or_and_not(client, indexed_seed):
    prefix = result_texts(search(client, q="coerc*"))
    assert COERCIVE in prefix and "coercion and aggression" in prefix
    either = search(client, q="Treasury OR Biden").context["search"].outcome.total
    assert either == Quote.objects.published().filter(speaker__slug__in=["us-department-of-the-treasury", "joe-biden"]).count()
    without = result_texts(search(client, q="coerc* -aggression"))
    assert COERCIVE in without and not any("aggression" in text for text in without)
    assert result_texts(search(client, q="coerc* NOT aggression")) == without


def test_a_prefix_ranks_quotes_by_the_words_it_matches_in_the_page_and_the_export_alike(client, search_index):
    once = "They spoke of peace, of trade, of the weather and then briefly of coercion"
    thrice = "Coercion, coercive pressure and coercing allies"
    for number, words in enumerate([once, thrice, "Nothing of the kind was said"]):
        make_quote(make_article(f"Item {number}. “{words},” she said."), words)
    search_index()
    # Whoosh gives every match of a prefix of three or more words the same score in an index
    # under 5,000 documents (so the first indexed would come first), and scores the words above.
    assert result_texts(search(client, q="coerc*")) == [thrice, once]
    exported = json.loads(b"".join(client.get(reverse("statements:search-export"), {"q": "coerc*", "format": "json"}).streaming_content))
    assert [row["text"] for row in exported] == [thrice, once]


def test_speaker_names_and_aliases_find_quotes(client, indexed_seed):
    blinken_total = Quote.objects.published().filter(speaker__slug="antony-blinken").count()
    assert search(client, q='"top U.S. diplomat"').context["search"].outcome.total == blinken_total


# --- filters, sorting, facets --------------------------------------------------------


@pytest.fixture
def spread(search_index):
    """Quotes by two speakers, on two topics, from two outlets, in 2019 and 2021."""
    reuters, ap = make_source("Reuters", slug="reuters"), make_source("AP", slug="ap")
    china, nato = Topic.objects.create(name="China", slug="china"), Topic.objects.create(name="NATO", slug="nato")
    ann, bob = make_speaker("Ann Minister"), make_speaker("Bob Envoy")
    rows = [
        (ann, reuters, datetime.date(2019, 5, 1), china, "full"),
        (ann, ap, datetime.date(2021, 2, 1), nato, "full"),
        (ann, reuters, datetime.date(2021, 6, 1), china, "fragment"),
        (bob, ap, datetime.date(2021, 7, 1), china, "full"),
    ]
    quotes = []
    for number, (speaker, source, day, topic, kind) in enumerate(rows):
        words = f"security matters number {number}"
        article = make_article(f"Report {number}. “{words},” the official said.", published=day, source=source)
        quote = make_quote(article, words, speaker=speaker, kind=kind)
        quote.topics.add(topic)
        quotes.append(quote)
    search_index()
    return quotes


def test_each_filter(client, spread):
    def texts(**params):
        return sorted(result_texts(search(client, q="security", **params)))

    assert len(texts()) == 4
    assert texts(speaker="bob-envoy") == [spread[3].text]
    assert texts(topic="nato") == [spread[1].text]
    assert texts(source="reuters") == sorted([spread[0].text, spread[2].text])
    assert texts(year="2019") == [spread[0].text]
    assert texts(kind="fragment") == [spread[2].text]
    assert texts(**{"from": "2021-02-01", "to": "2021-06-30"}) == sorted([spread[1].text, spread[2].text])


def test_sorting(client, spread):
    newest = result_texts(search(client, q="security", sort="newest"))
    oldest = result_texts(search(client, q="security", sort="oldest"))
    assert newest == [q.text for q in reversed(spread)]
    assert oldest == [q.text for q in spread]


def test_undated_articles_and_quotes_are_found_sorted_last_and_outside_every_date_range(client, search_index):
    # Whoosh reads a missing date as 2**64 - 1, past any signed date, and writes no date column
    # at all for a segment whose documents have none (the undated quote is indexed on its own).
    dated = make_quote(make_article("Report. “Undated matters first,” the envoy said.", published=datetime.date(2021, 3, 1)), "Undated matters first")
    search_index()
    undated_article = make_article("Wire copy. “Undated matters too,” the envoy said.", title="Wire without a date", published=None)
    undated = make_quote(undated_article, "Undated matters too")
    search_index()

    assert result_texts(search(client, q="undated", sort="newest")) == [dated.text, undated.text]
    assert result_texts(search(client, q="undated", sort="oldest")) == [dated.text, undated.text]
    assert result_texts(search(client, q="undated", **{"from": "2000-01-01", "to": "2030-12-31"})) == [dated.text]
    assert result_texts(search(client, q="undated", to="2030-12-31")) == [dated.text]
    for sort in ("newest", "oldest"):  # the export sorts through Whoosh's own collector
        response = client.get(reverse("statements:search-export"), {"q": "undated", "sort": sort, "format": "json"})
        assert [row["text"] for row in json.loads(b"".join(response.streaming_content))] == [dated.text, undated.text]
    articles = client.get(reverse("statements:article-search"), {"q": "wire"}).context["search"].articles
    assert [article.title for article in articles] == ["Wire without a date"]


def test_facet_counts_agree_with_the_database(client, spread):
    facets = search(client, q="security").context["search"].outcome.facets
    published = Quote.objects.published()
    assert facets["speaker"] == [
        ("ann-minister", "Ann Minister", published.filter(speaker__slug="ann-minister").count()),
        ("bob-envoy", "Bob Envoy", published.filter(speaker__slug="bob-envoy").count()),
    ]
    assert facets["topics"] == [("china", "China", 3), ("nato", "NATO", 1)]
    assert sorted(facets["source"]) == [("ap", "AP", 2), ("reuters", "Reuters", 2)]
    assert facets["year"] == [("2021", "2021", 3), ("2019", "2019", 1)]


def test_facet_links_add_a_filter_and_active_filters_can_be_removed(client, spread):
    content = search(client, q="security").content.decode()
    assert 'href="?q=security&amp;speaker=bob-envoy"' in content
    filtered = search(client, q="security", speaker="bob-envoy").content.decode()
    assert 'href="?q=security" aria-label="Remove speaker filter Bob Envoy"' in filtered


def test_a_facet_with_many_values_offers_the_largest_and_counts_the_rest(client, search_index):
    from statements.search import FACET_VALUES_SHOWN

    speakers = [make_speaker(f"Envoy {number:02}") for number in range(FACET_VALUES_SHOWN + 5)]
    for number, speaker in enumerate(speakers):
        for day in range(1 + (number == 12) * 3):  # Envoy 12 said it most often
            article = make_article(f"Day {day}. “Sanctions will follow,” said {speaker.name}.")
            make_quote(article, "Sanctions will follow", speaker=speaker)
    search_index()
    response = search(client, q="sanctions")
    outcome = response.context["search"].outcome
    assert outcome.total == len(speakers) + 3
    assert len(outcome.facets["speaker"]) == FACET_VALUES_SHOWN
    assert outcome.facets["speaker"][0] == ("envoy-12", "Envoy 12", 4)
    assert outcome.facets_not_shown["speaker"] == 5
    content = response.content.decode()
    assert content.count('href="?q=sanctions&amp;speaker=') == FACET_VALUES_SHOWN
    assert "5 other speakers: narrow the search to see them." in content
    assert "other topics" not in content
    status, body = api(client, q="sanctions")
    assert len(body["facets"]["speaker"]) == FACET_VALUES_SHOWN and body["facets_not_shown"]["speaker"] == 5


def test_seed_facets_match_database_counts(client, indexed_seed):
    outcome = search(client, topic="china").context["search"].outcome
    in_topic = Quote.objects.published().filter(topics__slug="china")
    assert outcome.total == in_topic.count()
    assert {slug: count for slug, _, count in outcome.facets["speaker"]} == {
        slug: in_topic.filter(speaker__slug=slug).count() for slug in in_topic.values_list("speaker__slug", flat=True).distinct()
    }


def test_search_within_a_speaker(client, indexed_seed):
    response = search(client, q="allies", speaker="antony-blinken")
    assert response.context["results"]
    assert {quote.speaker.slug for quote, *_ in response.context["results"]} == {"antony-blinken"}


def test_a_phrase_within_a_speakers_few_quotes_matches_only_where_its_words_stand_together(client, search_index):
    often, rarely = make_speaker("Ann Often"), make_speaker("Bob Rarely")
    for day in range(20):
        make_quote(make_article(f"Day {day}. “Trade talks: it is time,” Ann Often said."), "Trade talks: it is time", speaker=often)
    said = make_quote(make_article("Day 1. “Trade talks, it is said,” Bob Rarely said."), "Trade talks, it is said", speaker=rarely)
    make_quote(make_article("Day 2. “Talks on trade, is it not,” Bob Rarely said."), "Talks on trade, is it not", speaker=rarely)
    search_index()
    for q in ('"trade talks"', '"it is"', '"trade talks" "it is"', 'said "it is"'):
        assert result_texts(search(client, q=q, speaker="bob-rarely")) == [said.text], q
    assert search(client, q='"it is"').context["search"].outcome.total == 21


def test_empty_query_shows_ways_to_browse(client, indexed_seed):
    response = search(client)
    assert response.context["search"].outcome is None
    assert len(response.context["latest_quotes"]) == 5
    assert b"Latest statements" in response.content


def test_filter_without_words_lists_everything_filtered(client, indexed_seed):
    response = search(client, topic="defense-spending", sort="oldest")
    expected = Quote.objects.published().filter(topics__slug="defense-spending").count()
    assert response.context["search"].outcome.total == expected == 4


def test_results_are_paginated_20_a_page(client, search_index):
    speaker = make_speaker("Prolific")
    for number in range(23):
        article = make_article(f"Item {number}. “Sanctions will follow {number},” she said.")
        make_quote(article, f"Sanctions will follow {number}", speaker=speaker)
    search_index()
    first = search(client, q="sanctions")
    second = search(client, q="sanctions", page=2)
    assert len(first.context["results"]) == 20 and len(second.context["results"]) == 3
    assert not set(result_texts(first)) & set(result_texts(second))
    assert client.get(reverse("statements:search"), {"q": "sanctions", "page": 3}).status_code == 404


# --- did you mean --------------------------------------------------------------------


def test_did_you_mean_offers_a_word_from_the_archive(client, indexed_seed):
    response = search(client, q="cohersion")
    assert response.context["search"].outcome.total == 0
    assert response.context["search"].outcome.suggestion == "coercion"
    assert 'Did you mean <a href="?q=coercion">coercion</a>?' in response.content.decode()


def test_a_search_that_finds_nothing_looks_for_a_better_spelling_once(client, indexed_seed, monkeypatch):
    from haystack import connections

    backend = type(connections["default"].get_backend())
    corrections = []
    correct = backend.create_spelling_suggestion

    def counted(self, query_string):
        corrections.append(query_string)
        return correct(self, query_string)

    monkeypatch.setattr(backend, "create_spelling_suggestion", counted)
    assert search(client, q="cohersion").context["search"].outcome.suggestion == "coercion"
    assert corrections == ["cohersion"]
    corrections.clear()
    assert search(client, q="zzxqvw").context["search"].outcome.suggestion is None
    assert corrections == ["zzxqvw"]


def test_no_suggestion_when_nothing_better_exists(client, indexed_seed):
    assert search(client, q="zzxqvw").context["search"].outcome.suggestion is None


# --- highlighting --------------------------------------------------------------------


def test_highlights_matched_words(client, indexed_seed):
    response = search(client, q='"coercive behavior"')
    assert "<mark>coercive behavior</mark> threatens" in response.content.decode()


def test_markup_inside_a_quote_shows_as_text(client, search_index):
    words = "Never run <script>alert(1)</script> on our alliance"
    make_quote(make_article(f"Intro. “{words},” he said."), words)
    search_index()
    content = search(client, q="alliance").content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; on our <mark>alliance</mark>" in content
    assert "<script>alert(1)" not in content


# --- bad input -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "notice"),
    [
        ('"coercive behavior', "An unmatched quote mark was ignored."),
        ("OR", "An OR without a word on both sides was ignored."),
        ("coercion AND", None),
        ("NOT", "A NOT without a word after it was ignored."),
        ("text:coercion", "Search syntax such as field:, brackets and symbols was treated as plain words."),
        ("*", "A * is only used at the end of a word (coerc*)."),
        ("((((", "Search syntax such as field:, brackets and symbols was treated as plain words."),
        ("coer\x00cion\x07", None),
        ("co*ercion", "A * is only used at the end of a word (coerc*)."),
        ("安全 مؤتمر безопасность", None),
        ("word " * 2000, "Only the first 300 characters of the query were used."),
        ("<script>alert('x')</script>", "Search syntax such as field:, brackets and symbols was treated as plain words."),
        ("-china", "A search needs at least one word that is not excluded; showing everything else instead."),
        ("a" * 10000, "Only the first 300 characters of the query were used."),
    ],
)
def test_bad_queries_answer_with_a_notice_not_an_error(client, indexed_seed, query, notice):
    response = search(client, q=query)
    search_state = response.context["search"]
    if notice:
        assert notice in search_state.parsed.notices
        assert notice in response.content.decode()
    assert len(search_state.parsed.terms) <= 12
    assert "<script>alert" not in response.content.decode()


def test_a_one_letter_word_that_nothing_matches_is_not_an_error_on_a_one_segment_index(client, indexed_seed):
    """Whoosh's spelling corrector fails on a word shorter than its prefix when the index is
    a single segment (after a rebuild by one process, say)."""
    from haystack import connections

    backend = connections["default"].get_backend()
    backend.index.optimize()
    assert len(backend.index.refresh()._segments()) == 1
    response = search(client, q="q")
    assert response.status_code == 200
    assert response.context["search"].outcome.total == 0


def test_many_terms_are_capped(client, indexed_seed):
    response = search(client, q=" ".join(f"word{n}" for n in range(40)))
    assert len(response.context["search"].parsed.terms) == 12
    assert "Only the first 12 words were used." in response.content.decode()


def test_query_is_echoed_escaped(client, indexed_seed):
    content = search(client, q='"<b>bold</b>" coercion').content.decode()
    assert "<b>bold</b>" not in content


def test_invalid_dates_and_unknown_filters_are_form_errors(client, indexed_seed):
    response = search(client, q="coercion", **{"from": "2021-99-01"})
    assert "From: Enter a valid date." in response.content.decode()
    response = search(client, q="coercion", speaker="nobody-at-all")
    assert "There is no speaker “nobody-at-all” in the archive." in response.content.decode()
    response = search(client, q="coercion", **{"from": "2022-01-01", "to": "2021-01-01"})
    assert "The end date is before the start date." in response.content.decode()


@pytest.mark.parametrize("page", ["0", "-1", "abc", "99"])
def test_bad_page_numbers_are_404(client, indexed_seed, page):
    assert client.get(reverse("statements:search"), {"q": "coercion", "page": page}).status_code == 404


def test_parse_query_structure():
    parsed = parse_query('Blinken "collective security" coerc* OR pressure -Trump')
    assert [[str(t) for t in group] for group in parsed.groups] == [
        ["blinken"], ['"collective security"'], ["coerc*", "pressure"], ["-trump"]
    ]
    assert parse_query("a OR OR b").notices == ["An OR without a word on both sides was ignored."]


# --- JSON ----------------------------------------------------------------------------


def test_json_endpoint_shape_and_order(client, indexed_seed):
    status, body = api(client, q="coerc*", sort="relevance")
    page = search(client, q="coerc*", sort="relevance")
    assert status == 200
    assert set(body) >= {"count", "page", "results", "facets", "suggestion"}
    assert body["count"] == page.context["search"].outcome.total
    assert [r["text"] for r in body["results"]] == result_texts(page)
    first = body["results"][0]
    assert set(first) >= {"id", "text", "speaker", "article", "url"}
    assert first["speaker"] == {"name": "Antony Blinken", "slug": "antony-blinken"}
    assert set(first["article"]) >= {"title", "url", "source", "published"}
    assert first["article"]["published"] == "2021-03-24"
    assert first["url"].endswith(f"/quotes/{first['id']}/")
    assert {f["value"] for f in body["facets"]["speaker"]} == {"antony-blinken"}


def test_json_endpoint_reports_bad_parameters(client, indexed_seed):
    status, body = api(client, q="x", **{"from": "not-a-date"})
    assert status == 400 and "date_from" in body["errors"]
    assert client.get(reverse("statements:api-search"), {"q": "coercion", "page": 50}).status_code == 404


# --- never stale ---------------------------------------------------------------------


@pytest.fixture
def admin_action(editor_client, django_capture_on_commit_callbacks):
    from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME

    def run(model, action, objects, **extra):
        with django_capture_on_commit_callbacks(execute=True):
            editor_client.post(
                reverse(f"admin:statements_{model}_changelist"),
                {"action": action, ACTION_CHECKBOX_NAME: [o.pk for o in objects], **extra},
            )

    return run


def found(client, query, **params):
    return set(result_texts(search(client, q=query, **params)))


def test_publishing_and_unpublishing_show_in_search(client, search_index, admin_action):
    article = make_article("Report. “Deterrence works,” she said.", status=Article.Status.REVIEW)
    make_quote(article, "Deterrence works")
    search_index()
    assert found(client, "deterrence") == set()
    admin_action("article", "publish", [article])
    assert found(client, "deterrence") == {"Deterrence works"}
    admin_action("article", "unpublish", [article])
    assert found(client, "deterrence") == set()


def test_approving_and_rejecting_show_in_search(client, search_index, admin_action):
    quote = make_quote(make_article("A. “Resolve is strong,” he said."), "Resolve is strong", status=Quote.Status.PROPOSED)
    search_index()
    assert found(client, "resolve") == set()
    admin_action("quote", "approve", [quote])
    assert found(client, "resolve") == {"Resolve is strong"}
    admin_action("quote", "reject", [quote])
    assert found(client, "resolve") == set()


def test_reattribution_and_speaker_rename_show_in_search(client, search_index, admin_action, editor_client, django_capture_on_commit_callbacks):
    quote = make_quote(make_article("A. “Talks continue,” he said."), "Talks continue")
    other = make_speaker("Wendy Sherman")
    search_index()
    admin_action("quote", "reattribute", [quote], speaker=other.pk, apply="Apply")
    assert found(client, "talks", speaker=other.slug) == {"Talks continue"}

    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(
            reverse("admin:statements_speaker_change", args=[other.pk]),
            {"name": "Wendy R. Sherman", "slug": other.slug, "kind": "person", "role": "", "organization": "", "country": "", "bio": "",
             "aliases-TOTAL_FORMS": "0", "aliases-INITIAL_FORMS": "0", "aliases-MIN_NUM_FORMS": "0", "aliases-MAX_NUM_FORMS": "1000"},
        )
    assert response.status_code == 302
    assert found(client, '"Wendy R. Sherman"') == {"Talks continue"}


def test_deleting_in_the_admin_removes_from_search(client, search_index, editor_client, django_capture_on_commit_callbacks):
    quote = make_quote(make_article("A. “Gone tomorrow,” he said."), "Gone tomorrow")
    search_index()
    assert found(client, "gone") == {"Gone tomorrow"}
    with django_capture_on_commit_callbacks(execute=True):
        editor_client.post(reverse("admin:statements_quote_delete", args=[quote.pk]), {"post": "yes"})
    assert not Quote.objects.filter(pk=quote.pk).exists()
    assert found(client, "gone") == set()


def test_deleting_an_article_removes_its_quotes_from_search(client, search_index, django_capture_on_commit_callbacks):
    quote = make_quote(make_article("A. “Gone with the article,” he said."), "Gone with the article")
    search_index()
    with django_capture_on_commit_callbacks(execute=True):
        quote.article.delete()
    assert found(client, "article") == set()


def test_topic_added_to_a_quote_shows_in_facets(client, search_index, django_capture_on_commit_callbacks):
    quote = make_quote(make_article("A. “Facets update,” he said."), "Facets update")
    topic = Topic.objects.create(name="Arctic", slug="arctic")
    search_index()
    with django_capture_on_commit_callbacks(execute=True):
        quote.topics.add(topic)
    assert found(client, "facets", topic="arctic") == {"Facets update"}


def test_index_outage_loses_nothing(client, search_index, monkeypatch, django_capture_on_commit_callbacks):
    """A change made while the index cannot be written stays queued and lands later."""
    from statements import indexing
    from statements.models import IndexQueueEntry

    quote = make_quote(make_article("A. “Queued while down,” he said."), "Queued while down", status=Quote.Status.PROPOSED)
    search_index()
    backend = type(__import__("haystack").connections["default"].get_backend())

    def refuse(*args, **kwargs):
        raise OSError("index is locked")

    monkeypatch.setattr(backend, "update", refuse)
    with django_capture_on_commit_callbacks(execute=True):
        quote.status = Quote.Status.APPROVED
        quote.save()
    assert IndexQueueEntry.objects.filter(object_id=quote.pk).exists()
    assert found(client, "queued") == set()
    monkeypatch.undo()
    indexing.index_queue_apply()
    assert found(client, "queued") == {"Queued while down"}
    assert not IndexQueueEntry.objects.exists()


def test_the_import_applier_goes_on_applying_when_a_checkpoint_of_the_database_log_fails(client, search_index, monkeypatch, caplog):
    """The applier beside an import copies SQLite's log after each round; should that fail,
    the next batches are still indexed, and the warning says which of the two failed."""
    import threading

    from statements import indexing
    from statements.models import IndexQueueEntry

    first = make_quote(make_article("A. “First batch words,” he said."), "First batch words")
    stop = threading.Event()

    def failing_checkpoint():
        if not stop.is_set():  # the next batch commits while the applier checkpoints
            make_quote(make_article("B. “Second batch words,” she said."), "Second batch words")
            stop.set()
        raise OSError("disk I/O error")

    monkeypatch.setattr(indexing, "_wal_checkpoint", failing_checkpoint)
    indexing._apply_until(stop, 0)
    assert found(client, "batch") == {first.text, "Second batch words"}
    assert not IndexQueueEntry.objects.exists()
    warnings = [record.getMessage() for record in caplog.records if record.name == "statements.indexing"]
    assert len(warnings) == 1 and "write-ahead log" in warnings[0]  # once, though it failed twice


def copies_in_index(quote):
    from haystack import connections

    with connections["default"].get_backend().index.searcher() as searcher:
        return len(list(searcher.document_numbers(id=f"statements.quote.{quote.pk}")))


def test_the_import_applier_adds_new_quotes_without_a_search_and_still_keeps_one_copy_of_each(client, search_index, monkeypatch):
    """Beside an import, quotes created since the applier took the writer lock are added
    without first deleting an old copy (or, not public, not looked for); a quote changed again later, one that was there
    before, and a change applied a second time by another process each keep a single copy."""
    import threading

    from whoosh.writing import SegmentWriter

    from statements import indexing
    from statements.models import IndexQueueEntry

    older = make_quote(make_article("A. “Older words,” he said."), "Older words")
    search_index()
    stop, created = threading.Event(), []

    def next_round():  # between the applier's rounds, the import commits its next batch
        if stop.is_set():
            return
        if not created:
            created.append(make_quote(make_article("B. “Newer words,” she said."), "Newer words"))
            make_quote(make_article("D. “Words to review,” they said."), "Words to review", status=Quote.Status.PROPOSED)
            Quote.objects.filter(pk=older.pk).update(speaker=make_speaker("Zebulon Quill"))
            indexing.enqueue(Quote, [older.pk])
        else:
            Quote.objects.filter(pk=created[0].pk).update(speaker=make_speaker("Ottoline Birch"))
            indexing.enqueue(Quote, [created[0].pk])
            stop.set()

    searched_for = []  # the identifiers whose old copies a commit looked for
    delete_by_query = SegmentWriter.delete_by_query

    def recording_delete_by_query(writer, query, searcher=None):
        searched_for.extend(term.text for term in query.subqueries)
        return delete_by_query(writer, query, searcher)

    monkeypatch.setattr(SegmentWriter, "delete_by_query", recording_delete_by_query)
    monkeypatch.setattr(indexing, "_wal_checkpoint", next_round)
    indexing._apply_until(stop, 0)
    # The new quote and its article were added without a search, and the new quote awaiting
    # review was not looked for either; changed again, the quote was looked for once, like
    # the older one.
    assert sorted(searched_for) == [f"statements.quote.{older.pk}", f"statements.quote.{created[0].pk}"]
    assert found(client, "words") == {"Older words", "Newer words"}
    assert found(client, "Zebulon") == {"Older words"} and found(client, "Ottoline") == {"Newer words"}
    assert [copies_in_index(older), copies_in_index(created[0])] == [1, 1]
    assert not IndexQueueEntry.objects.exists()

    # A process that stopped before taking its entries off the queue: the next one applies
    # them again, and finds the quote already indexed.
    created_since = indexing.CreatedSinceLocked()
    newest = make_quote(make_article("C. “Newest words,” they said."), "Newest words")
    indexing._queue_applied(kept=[], created=created_since)  # added as new
    indexing.index_queue_apply()
    assert found(client, "newest") == {"Newest words"}
    assert copies_in_index(newest) == 1


def test_the_import_applier_removes_the_newest_quote_deleted_before_it_started(client, search_index):
    """Its removal still queued, the deleted quote had the highest key of all: the applier
    must not take it for one created since, which it would not look for."""
    import threading

    from statements import indexing

    make_quote(make_article("A. “Staying words,” he said."), "Staying words")
    deleted = make_quote(make_article("B. “Vanishing words,” she said."), "Vanishing words")
    search_index()
    Quote.objects.filter(pk=deleted.pk).delete()
    stop = threading.Event()
    stop.set()  # one round: what was queued when the import began
    indexing._apply_until(stop, 0)
    assert copies_in_index(deleted) == 0
    assert found(client, "words") == {"Staying words"}


def test_a_queued_batch_lands_in_one_commit_or_stays_queued_whole(client, search_index, monkeypatch):
    """The quotes, articles and removals of a batch of the queue are one commit: a failure
    part-way leaves none of them searchable and all of them queued."""
    from haystack import connections

    from statements import indexing
    from statements.models import IndexQueueEntry

    backend = connections["default"].get_backend()
    search_index()
    article = make_article("A. “Both in one commit,” he said.")
    make_quote(article, "Both in one commit")
    segments = len(backend.index.refresh()._segments())
    stock_update = type(backend).update

    def failing_for_articles(self, index, iterable, commit=True):
        if index.get_model() is Article:
            raise OSError("disk full")
        return stock_update(self, index, iterable, commit)

    monkeypatch.setattr(type(backend), "update", failing_for_articles)
    with pytest.raises(OSError):
        indexing.index_queue_apply()
    assert found(client, "commit") == set()  # the quote, applied before the article failed, is not either
    assert IndexQueueEntry.objects.filter(model="statements.quote").exists()
    assert IndexQueueEntry.objects.filter(model="statements.article").exists()
    monkeypatch.undo()
    indexing.index_queue_apply()
    assert found(client, "commit") == {"Both in one commit"}
    assert len(backend.index.refresh()._segments()) == segments + 1
    assert not IndexQueueEntry.objects.exists()


def test_rebuild_and_update_index_commands_still_work(client, seeded):
    from io import StringIO

    from django.core.management import call_command
    from haystack.query import SearchQuerySet

    hidden = Quote.objects.published().filter(text__icontains="aggression").first()
    Quote.objects.filter(pk=hidden.pk).update(status=Quote.Status.REJECTED)  # no signal: stale index
    output = StringIO()
    call_command("rebuild_index", interactive=False, workers=2, stdout=output)
    assert "Indexed 16 statements.quote" in output.getvalue()
    # Two writer processes, two segments: every published quote once, the rejected one gone.
    indexed = {int(r.pk) for r in SearchQuerySet().models(Quote).all()[:100]}
    assert indexed == set(Quote.objects.published().values_list("pk", flat=True))
    assert search(client, q="coercion").context["search"].outcome.total == 1
    call_command("update_index", verbosity=0)
    assert search(client, q="coercion").context["search"].outcome.total == 1


def test_update_index_waits_for_the_index_queues_writer(seeded, monkeypatch):
    """haystack's update_index writes the index too: while it runs, it holds the lock that
    the import's applier holds, so the applier's new quotes are never indexed twice."""
    from django.core.management import call_command
    from haystack.management.commands.update_index import Command as HaystackUpdateIndex

    from statements.indexing import writer_lock

    held_meanwhile = []
    update = HaystackUpdateIndex.handle

    def recording_update(self, **options):
        with writer_lock(blocking=False) as acquired:
            held_meanwhile.append(not acquired)
        return update(self, **options)

    monkeypatch.setattr(HaystackUpdateIndex, "handle", recording_update)
    call_command("update_index", verbosity=0)
    assert held_meanwhile == [True]
    with writer_lock(blocking=False) as acquired:  # and let go of it afterwards
        assert acquired


def test_update_index_says_it_waits_while_another_process_writes_the_index(monkeypatch):
    import threading
    import time
    from io import StringIO

    from django.core.management import call_command
    from haystack.management.commands.update_index import Command as HaystackUpdateIndex

    from statements.indexing import writer_lock

    updated = threading.Event()
    monkeypatch.setattr(HaystackUpdateIndex, "handle", lambda self, **options: updated.set())
    stderr = StringIO()
    with writer_lock():  # an import's index process, say
        command = threading.Thread(target=call_command, args=("update_index",), kwargs={"stderr": stderr})
        command.start()
        deadline = time.monotonic() + 10
        while "Waiting" not in stderr.getvalue() and time.monotonic() < deadline:
            time.sleep(0.01)
        assert "Waiting for the process writing the search index" in stderr.getvalue()
        assert not updated.is_set()
    command.join(10)
    assert updated.is_set()


def test_index_dates_are_timezone_aware(seeded):
    from statements.search_indexes import QuoteIndex

    prepared = QuoteIndex().full_prepare(Quote.objects.published().first())
    assert prepared["date"] == datetime.datetime(2021, 3, 24, tzinfo=datetime.UTC)
    assert prepared["date"].tzinfo is not None


@pytest.mark.django_db(transaction=True)
def test_bulk_import_updates_the_index_once_at_the_end(tmp_path, search_index, monkeypatch):
    """Real commits (each article's), so on-commit hooks fire as they do in production. Where
    a forked process can see the commits (PostgreSQL here), the import applies the queue in
    one, batch by batch (tests/test_index_concurrency.py); this is the import's own
    application, which also covers what that process left."""
    import contextlib

    from haystack.query import SearchQuerySet

    from statements import indexing

    monkeypatch.setattr(indexing, "applied_alongside", contextlib.nullcontext)
    applied = []  # how many changes each application of the queue brought to the index
    original = indexing.index_queue_apply

    def counting(**kwargs):
        applied.append(original(**kwargs))
        return applied[-1]

    monkeypatch.setattr(indexing, "index_queue_apply", counting)
    for number in range(3):
        (tmp_path / f"{number}.txt").write_text(f"Harbour talks {number}\n\nThe harbour talks went on {number}.", encoding="utf-8")
    call_command("import_articles", str(tmp_path), "--publish", verbosity=0)
    assert len([count for count in applied if count]) == 1  # one index update for the batch
    assert SearchQuerySet().models(Article).filter(content="harbour").count() == 3


# --- articles: their own search page --------------------------------------------------


def test_article_search_finds_articles_by_text_and_headline(client, indexed_seed):
    treasury = Article.objects.get(text__contains="Treasury")
    response = client.get(reverse("statements:article-search"), {"q": '"Treasury"'})
    assert response.status_code == 200
    assert treasury in response.context["search"].articles
    assert response.context["search"].total == Article.objects.published().filter(text__icontains="treasury").count()
    headline_word = treasury.title.split()[0]
    by_headline = client.get(reverse("statements:article-search"), {"q": headline_word}).context["search"]
    assert treasury in by_headline.articles


def test_quote_search_links_to_the_article_search_for_the_same_words(client, indexed_seed):
    response = search(client, q="coercion")
    assert f'{reverse("statements:article-search")}?q=coercion' in response.content.decode()
    assert "articles" not in response.context  # the articles are searched on their own page


def test_article_search_answers_bad_input_without_errors(client, indexed_seed):
    url = reverse("statements:article-search")
    hostile = client.get(url, {"q": "<script>alert(1)</script> (((("})
    assert hostile.status_code == 200
    assert b"<script>alert" not in hostile.content
    assert hostile.context["search"].parsed.notices
    assert client.get(url, {"q": "coercion", "page": "99"}).status_code == 404
    assert client.get(url, {"q": "coercion", "page": "x"}).status_code == 404
    assert client.get(url).status_code == 200


def test_web_workers_open_the_index_when_they_boot(indexed_seed, caplog):
    import importlib

    from haystack import connections

    import archive.wsgi

    backend = connections["default"].get_backend()
    backend._local.__dict__.clear()
    importlib.reload(archive.wsgi)  # what a gunicorn worker does as it boots
    assert backend._local.searcher.doc_count() == Quote.objects.published().count() + Article.objects.published().count()


def test_a_broken_index_does_not_stop_a_worker_from_booting(search_index, monkeypatch, caplog):
    from haystack import connections

    from statements.indexing import search_index_open

    backend = connections["default"].get_backend()

    def broken():
        raise OSError("index directory unreadable")

    monkeypatch.setattr(backend, "searcher", broken)
    search_index_open()
    assert "could not be opened at start-up" in caplog.text


def test_a_known_word_that_a_date_filter_leaves_without_results_sends_nothing_to_the_spelling_corrector(client, indexed_seed, monkeypatch):
    """The query string haystack hands the backend holds the filters too: their dates are not
    words to correct, and each would be a walk of the vocabulary (over half a second at a
    million quotes)."""
    from whoosh import spelling

    walks = []
    real_suggest = spelling.Corrector.suggest
    monkeypatch.setattr(spelling.Corrector, "suggest", lambda self, text, **options: walks.append(text) or real_suggest(self, text, **options))
    response = search(client, q="coercion", date_from="1990-01-01", date_to="1990-12-31")
    assert response.status_code == 200
    assert response.context["search"].outcome.total == 0
    assert response.context["search"].outcome.suggestion is None
    assert walks == []
    response = search(client, q="coersion")  # a misspelling is still corrected
    assert walks and set(walks) == {"coersion"}
    assert response.context["search"].outcome.suggestion == "coercion"
