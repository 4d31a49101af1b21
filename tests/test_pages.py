import pytest
from django.urls import reverse

from statements.models import Article, Quote
from tests.factories import make_article, make_quote, make_speaker, make_topic

pytestmark = pytest.mark.django_db

COERCION = "There is no doubt that Beijing’s coercive behavior threatens our collective security"


def test_blinken_page_lists_his_quotes(client, seeded):
    response = client.get(reverse("statements:speaker-detail", kwargs={"slug": "antony-blinken"}))
    assert response.status_code == 200
    assert response.context["paginator"].count == 12
    content = response.content.decode()
    assert COERCION in content
    assert "U.S. Secretary of State" in content
    assert "We will face China’s economic abuses" not in content  # Biden's, not his
    assert '<span class="alias">the top U.S. diplomat</span>' in content
    assert 'class="speaker"' not in content  # his own page: his name is not repeated on every quote


def test_home_shows_latest_quotes_speakers_and_topics(client, seeded):
    response = client.get("/")
    assert response.status_code == 200
    assert len(response.context["latest_quotes"]) == 10
    top = response.context["top_speakers"]
    assert [(s.name, s.quote_count) for s in top[:3]] == [("Antony Blinken", 12), ("Joe Biden", 4), ("U.S. Department of the Treasury", 1)]
    assert b'href="/topics/china/"' in response.content
    assert b'<a class="speaker" href="/speakers/antony-blinken/">Antony Blinken</a>' in response.content


def test_home_lists_the_ten_most_quoted_lately_ties_by_name(client):
    for name, quotes in [("Zed Most", 3), ("Yan Second", 2)] + [(f"Tied {letter}", 1) for letter in "LKJIHGFEDCBA"]:
        speaker = make_speaker(name)
        for number in range(quotes):
            make_quote(make_article(f"{name}, {number}. “Words {number},” they said."), f"Words {number}", speaker=speaker)
    top = client.get("/").context["top_speakers"]
    assert [(s.name, s.quote_count) for s in top] == [("Zed Most", 3), ("Yan Second", 2)] + [
        (f"Tied {letter}", 1) for letter in "ABCDEFGH"
    ]


def test_article_page_marks_each_quote_and_links_its_permalink(client, seeded):
    article = Article.objects.get(title__startswith="Blinken says")
    response = client.get(article.get_absolute_url())
    quote = Quote.objects.get(text__startswith="There is no doubt")
    assert response.status_code == 200
    content = response.content.decode()
    assert f'<mark id="quote-{quote.pk}" class="quote-mark"><a href="{quote.get_absolute_url()}" title="Antony Blinken">{quote.text}</a></mark>' in content
    assert content.count('class="quote-mark"') == 16


def test_topic_page_lists_quotes_and_speakers(client, seeded):
    response = client.get(reverse("statements:topic-detail", kwargs={"slug": "defense-spending"}))
    assert response.status_code == 200
    assert response.context["paginator"].count == 4
    assert [(s.name, s.quote_count) for s in response.context["topic_speakers"]] == [("Antony Blinken", 4)]


def test_unpublished_content_is_not_public(client):
    draft = make_article("Secret draft. “Hidden words,” she said.", status=Article.Status.REVIEW)
    proposed = make_quote(make_article("Public text. “Proposed words,” he said."), "Proposed words", status=Quote.Status.PROPOSED)
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert client.get(proposed.get_absolute_url()).status_code == 404
    assert "Proposed words" not in client.get(proposed.speaker.get_absolute_url()).content.decode()


def test_unconfirmed_speaker_has_no_public_page(client):
    speaker = make_speaker("Unknown Official", needs_review=True)
    assert client.get(speaker.get_absolute_url()).status_code == 404


def test_quote_permalink_shows_words_speaker_and_context(client, seeded):
    quote = Quote.objects.get(text__startswith="When one of us is coerced")
    response = client.get(quote.get_absolute_url())
    content = response.content.decode()
    assert response.status_code == 200
    assert quote.text in content
    assert "the top U.S. diplomat said." in content  # the context after the words
    assert f'href="{quote.article.get_absolute_url()}#quote-{quote.pk}"' in content


def test_bad_page_number_is_404(client, seeded):
    url = reverse("statements:speaker-detail", kwargs={"slug": "antony-blinken"})
    assert client.get(url + "?page=99").status_code == 404
    assert client.get(url + "?page=abc").status_code == 404


def test_speaker_pages_paginate_newest_first(client, search_index):
    speaker = make_speaker("Prolific Speaker")
    import datetime

    for day in range(1, 26):
        article = make_article(f"Day {day}. “Remark number {day},” she said.", published=datetime.date(2021, 1, day))
        make_quote(article, f"Remark number {day}", speaker=speaker)
    first = client.get(speaker.get_absolute_url())
    # Before the queue is applied the first page already shows the new quotes.
    assert [q.text for q in first.context["object_list"]][:2] == ["Remark number 25", "Remark number 24"]
    search_index()  # what the queue worker does after the commit
    first = client.get(speaker.get_absolute_url())
    assert first.context["paginator"].count == 25 and first.context["paginator"].num_pages == 2
    assert [q.text for q in first.context["object_list"]][:2] == ["Remark number 25", "Remark number 24"]
    assert len(first.context["object_list"]) == 20
    second = client.get(speaker.get_absolute_url() + "?page=2")
    assert [q.text for q in second.context["object_list"]] == [f"Remark number {d}" for d in range(5, 0, -1)]


@pytest.mark.parametrize("first_articles_read", [24, 1])
def test_long_lists_page_through_the_stored_months_like_the_plain_sort(client, search_index, monkeypatch, first_articles_read):
    """A speaker's pages read only the months that hold them (newest_first_slice), their
    newest articles first: every page and the feed hold the same quotes, in the same order, as
    sorting all of them, also when reads of a few articles at a time meet several on one day."""
    import datetime

    from statements import models

    monkeypatch.setattr(models, "WINDOWED_LIST_SIZE", 1)  # window even this short list
    monkeypatch.setattr(models, "FIRST_ARTICLES_READ", first_articles_read)
    speaker, topic = make_speaker("Windowed Speaker"), make_topic("Windowed Topic")
    days = [datetime.date(2020, month, day) for month in (1, 2, 5) for day in range(1, 10)] + [None, None]
    days += [datetime.date(2020, 5, 5)] * 3  # one day's articles across reads
    for number, day in enumerate(days):
        article = make_article(f"Item {number}. “Remark {number} here,” she said.", published=day)
        make_quote(article, f"Remark {number} here", speaker=speaker).topics.add(topic)
    # Added later to the first of that day's articles: first among the day's quotes.
    same_day = Article.objects.filter(published=datetime.date(2020, 5, 5)).order_by("pk").first()
    make_quote(same_day, "she said", speaker=speaker).topics.add(topic)
    search_index()
    plain = [q.text for q in Quote.objects.published().by_speaker(speaker).newest_first()]
    assert plain.index("she said") == plain.index("Remark 31 here") - 1
    assert plain[:2] == ["Remark 26 here", "Remark 25 here"] and plain[-2:] == ["Remark 28 here", "Remark 27 here"]
    for obj in (speaker, topic):
        shown = []
        for page in (1, 2):
            response = client.get(obj.get_absolute_url(), {"page": page})
            shown += [q.text for q in response.context["object_list"]]
        assert shown == plain
    for per_page, start in ((7, 0), (7, 7), (7, 14), (7, 21), (5, 6)):
        window = Quote.objects.published().by_speaker(speaker).newest_first_slice(
            start, start + per_page, monthly_counts=models.MonthlyQuoteCount.objects.newest_first(speaker=speaker)
        )
        assert [q.text for q in window] == plain[start : start + per_page]
        window = Quote.objects.published().on_topic(topic).newest_first_slice(
            start, start + per_page, monthly_counts=models.MonthlyQuoteCount.objects.newest_first(topic=topic), topic=topic
        )
        assert [q.text for q in window] == plain[start : start + per_page]
    feed = client.get(f"/feeds/speakers/{speaker.slug}/").content.decode()
    assert feed.index("Remark 26 here") < feed.index("she said") < feed.index("Remark 31 here") < feed.index("Remark 9 here")


def test_a_sparse_speakers_page_costs_as_many_queries_in_a_dense_month_as_in_a_thin_one(monkeypatch, search_index):
    """A speaker quoted only on the oldest day of a month of many articles: the newest articles
    are read first, a few, then more, then the rest of the month at once, so the reads do not
    grow with the month."""
    import datetime

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from statements import models

    monkeypatch.setattr(models, "WINDOWED_LIST_SIZE", 1)
    monkeypatch.setattr(models, "FIRST_ARTICLES_READ", 1)
    busy = make_speaker("Busy Speaker")
    queries = {}
    for month, articles in ((1, 20), (3, 200)):
        sparse = make_speaker(f"Sparse Speaker {month}")
        for number in range(articles):
            day = datetime.date(2020, month, 1 + number % 28)
            make_quote(make_article(f"Item {month}-{number}. “Busy words {number},” he said.", published=day), f"Busy words {number}", speaker=busy)
        for number in range(3):  # on the month's first day: read last
            article = make_article(f"Late news {month}-{number}. “Sparse words {number},” she said.", published=datetime.date(2020, month, 1))
            make_quote(article, f"Sparse words {number}", speaker=sparse)
        search_index()  # the stored monthly counts
        counts = models.MonthlyQuoteCount.objects.newest_first(speaker=sparse)
        assert counts == [(datetime.date(2020, month, 1), 3)]
        with CaptureQueriesContext(connection) as captured:
            page = Quote.objects.published().by_speaker(sparse).newest_first_slice(0, 3, monthly_counts=counts)
        assert [quote.text for quote in page] == ["Sparse words 2", "Sparse words 1", "Sparse words 0"]
        queries[articles] = len(captured)
    assert queries[200] == queries[20] == 1 + models.READS + 1  # the month's articles, the reads, the rows


def test_a_topics_page_follows_its_quotes_when_their_articles_change_date_or_they_move(client, search_index):
    """A topic's page orders its quotes by a copy of their article's date (QuoteTopic): adding
    a topic from either side, redating an article and moving a quote all keep it in step."""
    import datetime

    topic = make_topic("Dated Topic")
    older = make_article("Older. “Words of the older piece,” she said.", published=datetime.date(2020, 1, 1))
    newer = make_article("Newer. “Words of the newer piece,” he said.", published=datetime.date(2021, 1, 1))
    later = make_article("Later. “Words of the newer piece,” he said.", published=datetime.date(2023, 1, 1))
    second = make_quote(newer, "Words of the newer piece")  # made first: ids do not give the order
    first = make_quote(older, "Words of the older piece")
    first.topics.add(topic)
    topic.quotes.add(second)
    search_index()

    def shown():
        return [q.article.title for q in client.get(topic.get_absolute_url()).context["object_list"]]

    assert shown() == [newer.title, older.title]
    older.published = datetime.date(2022, 6, 1)
    older.save()
    search_index()
    assert shown() == [older.title, newer.title]
    second.article = later
    second.save()
    search_index()
    assert shown() == [later.title, older.title]
