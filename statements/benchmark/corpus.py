"""A synthetic news archive, shaped like the real thing: pure data, no Django.

Words follow a Zipf law over a vocabulary of common English and news words with a long tail of
made-up words (rank 1 "the" … rank 300,000 seen once in a million words); a few hundred
multi-word expressions recur as real phrases do. Speakers (2,000), topics (200) and outlets
are Zipf-distributed, dates run 2000–2026 (more news in later years), article and quote lengths
are log-normal like news copy, and some quotes are reported again by other outlets.

`ArchiveShape(seed).articles(n)` yields `GeneratedArticle`s whose quotes carry offsets into
the article's plain text (paragraphs separated by a blank line, as `html_to_text` gives them).
"""

import datetime
import itertools
import random
from dataclasses import dataclass, field

FUNCTION_WORDS = ["the", "of", "to", "and", "a", "in", "that", "is", "for", "it", "on", "said", "was", "with", "he", "as", "at", "by", "be", "have", "from", "this", "his", "are", "an", "not", "has", "but", "they", "which", "or", "its", "were", "had", "will", "their", "who", "been", "would", "we", "more", "one", "after", "also", "there", "she", "about", "than", "new", "her", "when", "up", "out", "all", "two", "can", "our", "over", "some", "into", "other", "no", "if", "what", "only", "so", "could", "most", "years", "those", "them", "year", "before", "time", "may", "do", "us", "just", "these", "any", "him", "first", "very", "because", "while", "where", "many", "should", "then", "since", "against", "under", "such", "now", "last", "during", "between", "three", "both", "through", "people", "how", "each", "well", "much", "even", "did", "still", "back", "here", "being", "made", "before", "own"]

CONTENT_WORDS = ["government", "president", "minister", "officials", "police", "state", "country", "public", "security", "economy", "percent", "million", "billion", "market", "company", "week", "month", "report", "told", "according", "statement", "health", "election", "party", "vote", "campaign", "policy", "law", "court", "judge", "case", "rights", "people", "children", "women", "workers", "families", "students", "schools", "city", "police", "war", "military", "forces", "attack", "troops", "peace", "talks", "deal", "agreement", "trade", "tariffs", "prices", "inflation", "rates", "bank", "budget", "taxes", "spending", "debt", "growth", "jobs", "unemployment", "energy", "oil", "gas", "climate", "change", "emissions", "carbon", "power", "electricity", "water", "food", "farmers", "crops", "drought", "flood", "storm", "hurricane", "fire", "earthquake", "disaster", "relief", "aid", "support", "plan", "program", "reform", "bill", "legislation", "congress", "senate", "parliament", "lawmakers", "committee", "hearing", "investigation", "inquiry", "evidence", "charges", "trial", "verdict", "sentence", "prison", "justice", "crime", "violence", "protest", "demonstrators", "rally", "strike", "union", "wages", "pay", "pension", "benefits", "insurance", "hospital", "doctors", "patients", "vaccine", "virus", "pandemic", "disease", "treatment", "research", "science", "technology", "data", "internet", "privacy", "companies", "industry", "investors", "shares", "stocks", "profits", "losses", "sales", "exports", "imports", "border", "immigration", "migrants", "refugees", "asylum", "citizens", "community", "leaders", "region", "region", "international", "foreign", "diplomatic", "embassy", "sanctions", "nuclear", "weapons", "missile", "defense", "alliance", "border", "ceasefire", "conflict", "crisis", "threat", "risk", "safety", "regulation", "rules", "standards", "responsibility", "decision", "announcement", "response", "pressure", "concerns", "questions", "answers", "future", "history", "challenge", "opportunity", "progress", "development", "infrastructure", "roads", "transport", "housing", "rent", "mortgage", "banks", "currency", "dollar", "euro", "interest", "recession", "recovery", "stimulus", "funding", "investment", "partnership", "negotiations", "summit", "meeting", "visit", "cooperation", "relations", "partners", "allies", "neighbors", "sovereignty", "independence", "democracy", "freedom", "values", "constitution", "referendum", "coalition", "opposition", "majority", "minority", "voters", "ballot", "results", "polls", "supporters", "critics", "experts", "analysts", "economists", "scientists", "spokesman", "spokeswoman", "secretary", "director", "chairman", "chief", "executive", "governor", "mayor", "senator", "ambassador", "general", "commander", "officer", "agency", "ministry", "department", "office", "administration", "authority", "council", "commission", "board", "organization", "institute", "university", "association", "federation", "network", "national", "federal", "regional", "local", "global", "european", "american", "chinese", "russian", "british", "french", "german", "african", "asian", "middle", "eastern", "western", "northern", "southern", "important", "difficult", "clear", "strong", "serious", "significant", "necessary", "possible", "likely", "major", "critical", "urgent", "historic", "unprecedented", "sustainable", "responsible", "fair", "free", "open", "secure", "stable", "effective", "successful", "better", "worse", "higher", "lower", "increase", "decrease", "reduce", "improve", "protect", "defend", "ensure", "provide", "continue", "expect", "believe", "think", "know", "want", "need", "work", "help", "make", "take", "give", "find", "tell", "call", "ask", "seem", "feel", "try", "leave", "keep", "begin", "become", "show", "hear", "play", "run", "move", "live", "hold", "bring", "happen", "write", "stand", "lose", "meet", "include", "set", "learn", "lead", "understand", "watch", "follow", "stop", "create", "speak", "read", "allow", "add", "spend", "grow", "open", "walk", "win", "offer", "remember", "consider", "appear", "buy", "wait", "serve", "die", "send", "build", "stay", "fall", "cut", "reach", "kill", "remain", "suggest", "raise", "pass", "sell", "require", "decide", "return", "explain", "hope", "develop", "carry", "break", "receive", "agree", "argue", "warn", "urge", "condemn", "welcome", "reject", "deny", "confirm", "insist", "vow", "pledge", "promise", "admit", "acknowledge"]

PHRASES = """prime minister|white house|united states|climate change|interest rates|human rights
|supreme court|european union|united nations|health care|foreign minister|middle east
|national security|public health|federal reserve|central bank|minimum wage|free trade
|nuclear weapons|rule of law|law enforcement|social media|renewable energy|fossil fuels
|economic growth|civil war|peace talks|trade war|tax cuts|labor market|real estate
|state department|defense secretary|finance minister|security council|general election
|vice president|chief executive|press conference|supply chain|power plant|death toll
|border security|national guard|cost of living|carbon emissions|stock market|oil prices
|gas prices|climate crisis|voting rights|free speech|the american people|the rule of law
|we will not|we are committed to|it is time to|there is no doubt|at the end of the day
|in the coming weeks|we cannot allow|this is not about|the international community""".replace("\n", "").split("|")

FIRST_NAMES = ["James", "Mary", "John", "Patricia", "Robert", "Jennifer", "Michael", "Linda", "William", "Elizabeth", "David", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah", "Charles", "Karen", "Daniel", "Nancy", "Matthew", "Lisa", "Anthony", "Betty", "Mark", "Margaret", "Donald", "Sandra", "Steven", "Ashley", "Paul", "Kimberly", "Andrew", "Emily", "Joshua", "Donna", "Kenneth", "Michelle", "Kevin", "Dorothy", "Brian", "Carol", "George", "Amanda", "Edward", "Melissa", "Ronald", "Deborah", "Ahmed", "Fatima", "Wei", "Mei", "Olga", "Ivan", "Hans", "Greta", "Pierre", "Amelie", "Kwame", "Amara", "Raj", "Priya", "Carlos", "Lucia", "Kenji", "Yuki"]

LAST_NAMES = ["Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin", "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez", "Clark", "Ramirez", "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright", "Scott", "Torres", "Nguyen", "Hill", "Flores", "Green", "Adams", "Nelson", "Baker", "Hall", "Rivera", "Campbell", "Mitchell", "Carter", "Roberts", "Okafor", "Mensah", "Sato", "Tanaka", "Muller", "Schmidt", "Dubois", "Laurent", "Rossi", "Bianchi", "Kowalski", "Novak", "Petrov", "Ivanova", "Haddad", "Khan", "Singh", "Patel", "Chen", "Wang", "Li", "Zhang", "Kim", "Park", "Silva", "Santos", "Costa", "Eriksson", "Larsen", "Jansen"]

ROLES = """Senator|Minister of Finance|Foreign Minister|Governor|Mayor|Spokesperson|Chief
Economist|Union Leader|Party Chair|Ambassador|Secretary of State|Central Bank Governor|Health
Minister|Defense Minister|Opposition Leader|Professor|Chief Executive|Police Chief|Judge""".replace("\n", " ").split("|")

TOPIC_BASES = """Climate|Trade|Elections|Health|Immigration|Energy|Defense|Economy|Education|
Housing|Technology|Privacy|Labor|Taxes|Crime|Justice|Agriculture|Transport|Water|Diplomacy|
Human rights|Nuclear policy|Banking|Inflation|Pandemic|Refugees|Sanctions|Cybersecurity|
Space|Oceans|Forests|Mining|Tourism|Sport|Culture|Media|Religion|Pensions|Welfare|Infrastructure""".replace("\n", "").split("|")
TOPIC_QUALIFIERS = ["", " policy", " reform", " in Europe", " in Asia"]

OUTLETS = """Reuters|Associated Press|Agence France-Presse|BBC News|The Guardian|The New York Times|
The Washington Post|Financial Times|The Economist|Bloomberg|CNN|Al Jazeera|Deutsche Welle|
Le Monde|El País|The Times of India|South China Morning Post|The Japan Times|ABC News|
CBS News|NBC News|NPR|Politico|The Hill|Axios|USA Today|Los Angeles Times|Chicago Tribune|
The Independent|The Telegraph|Sky News|France 24|Euronews|The Irish Times|The Globe and Mail|
Sydney Morning Herald|Kyiv Independent|Haaretz|Daily Maverick|Nation Africa|Straits Times|
Yonhap|Kyodo News|Xinhua|TASS|Anadolu Agency|EFE|ANSA|dpa|Nikkei Asia""".replace("\n", "").split("|")

SYLLABLES = ["ba", "be", "bi", "bo", "bu", "da", "de", "di", "do", "du", "fa", "fe", "fi", "fo", "ka", "ke", "ki", "ko", "ku", "la", "le", "li", "lo", "lu", "ma", "me", "mi", "mo", "mu", "na", "ne", "ni", "no", "nu", "pa", "pe", "pi", "po", "ra", "re", "ri", "ro", "ru", "sa", "se", "si", "so", "su", "ta", "te", "ti", "to", "tu", "va", "ve", "vi", "vo", "za", "ze", "zo", "bra", "cre", "dri", "fro", "gla", "pli", "stro", "tra", "vel", "ran", "tor", "mis", "ken", "dal", "gor", "fen", "hul"]

ATTRIBUTIONS = ("said", "told reporters", "said in a statement", "told {outlet}", "wrote", "added", "warned")

FIRST_YEAR, LAST_YEAR = 2000, 2026


def zipf_cum_weights(n, exponent=1.0):
    total, weights = 0.0, []
    for rank in range(1, n + 1):
        total += 1.0 / rank**exponent
        weights.append(total)
    return weights


@dataclass
class GeneratedQuote:
    text: str
    start: int
    end: int
    speaker: int  # index into ArchiveShape.speakers
    kind: str
    status: str
    topics: tuple  # indexes into ArchiveShape.topics
    statement: int | None = None  # shared by the reports of one utterance


@dataclass
class GeneratedArticle:
    title: str
    text: str
    published: datetime.date
    source: int
    topics: tuple
    status: str
    quotes: list = field(default_factory=list)


class ArchiveShape:
    """Deterministic (for a seed) generator of speakers, topics, outlets and articles."""

    def __init__(self, seed=1, *, speakers=2000, topics=200, tail_words=300_000, quotes_per_article=10.0):
        self.random = random.Random(seed)
        self.quotes_per_article = quotes_per_article
        self.vocabulary = self._vocabulary(tail_words)
        self._vocabulary_weights = zipf_cum_weights(len(self.vocabulary), 1.2)
        self.speakers = self._speakers(speakers)
        self._speaker_weights = zipf_cum_weights(len(self.speakers))
        self.topics = self._topics(topics)
        self._topic_weights = zipf_cum_weights(len(self.topics))
        self.outlets = OUTLETS
        self._outlet_weights = zipf_cum_weights(len(self.outlets), 0.8)
        first, last = datetime.date(FIRST_YEAR, 1, 1), datetime.date(LAST_YEAR, 12, 31)
        self._first_day, self._days = first.toordinal(), (last - first).days
        self._recent = []  # (speaker, text, statement) of recent quotes, for re-reports
        self._statements = itertools.count(1)

    # --- the cast --------------------------------------------------------------------

    def _vocabulary(self, tail_words):
        words, seen = [], set()
        for word in [*FUNCTION_WORDS, *CONTENT_WORDS]:
            if word not in seen:
                seen.add(word)
                words.append(word)
        rng = random.Random(7)
        target = len(words) + tail_words
        while len(words) < target:
            word = "".join(rng.choice(SYLLABLES) for _ in range(rng.choice((2, 2, 3, 3, 3, 4))))
            if word not in seen:
                seen.add(word)
                words.append(word)
        return words

    def _speakers(self, count):
        rng = random.Random(11)
        names = [f"{first} {last}" for first in FIRST_NAMES for last in LAST_NAMES]
        rng.shuffle(names)
        speakers = []
        for index, name in enumerate(names[:count]):
            role = rng.choice(ROLES).strip()
            alias = f"{role} {name.split()[-1]}" if index % 5 == 0 else None
            speakers.append({"name": name, "role": role, "alias": alias})
        return speakers

    def _topics(self, count):
        names = [f"{base}{qualifier}" for qualifier in TOPIC_QUALIFIERS for base in TOPIC_BASES]
        return names[:count]

    # --- sampling --------------------------------------------------------------------

    def words(self, count):
        rng = self.random
        out = rng.choices(self.vocabulary, cum_weights=self._vocabulary_weights, k=count)
        if count > 6 and rng.random() < 0.5:
            phrase = rng.choice(PHRASES).split()
            at = rng.randrange(0, count - len(phrase))
            out[at : at + len(phrase)] = phrase
        return out

    def sentence(self, count):
        words = self.words(count)
        if count > 12:
            words[count // 2] += ","
        return " ".join(words).capitalize() + "."

    def length(self, mu, sigma, low, high):
        return max(low, min(high, int(self.random.lognormvariate(mu, sigma))))

    def speaker(self):
        return self.random.choices(range(len(self.speakers)), cum_weights=self._speaker_weights)[0]

    def topic(self):
        return self.random.choices(range(len(self.topics)), cum_weights=self._topic_weights)[0]

    def date(self):
        # Linear growth: later years carry more news (square root of a uniform draw).
        return datetime.date.fromordinal(self._first_day + int(self._days * self.random.random() ** 0.5))

    # --- articles ---------------------------------------------------------------------

    def article(self):
        rng = self.random
        source = rng.choices(range(len(self.outlets)), cum_weights=self._outlet_weights)[0]
        topics = tuple(sorted({self.topic() for _ in range(rng.choice((1, 1, 2, 2, 3)))}))
        status = "published" if rng.random() < 0.97 else "review"
        article = GeneratedArticle(
            title=self.sentence(self.length(2.2, 0.3, 5, 16)).rstrip("."),
            text="",
            published=self.date(),
            source=source,
            topics=topics,
            status=status,
        )
        quote_count = max(1, int(rng.gauss(self.quotes_per_article, self.quotes_per_article / 3)))
        paragraphs, position = [], 0

        def add(paragraph):
            nonlocal position
            paragraphs.append(paragraph)
            start = position
            position += len(paragraph) + 2
            return start

        add(" ".join(self.sentence(self.length(3.0, 0.35, 8, 45)) for _ in range(2)))
        for _ in range(quote_count):
            if rng.random() < 0.6:
                add(" ".join(self.sentence(self.length(3.0, 0.35, 8, 45)) for _ in range(rng.choice((1, 2, 3)))))
            quote = self.quote(article)
            name = self.speakers[quote.speaker]["name"]
            verb = rng.choice(ATTRIBUTIONS).format(outlet=self.outlets[source])
            if rng.random() < 0.7:
                before, after = "“", f",” {name} {verb}."
            else:
                before, after = f"{name} {verb}: “", ".”"
            start = add(before + quote.text + after) + len(before)
            quote.start, quote.end = start, start + len(quote.text)
            article.quotes.append(quote)
        article.text = "\n\n".join(paragraphs)
        return article

    def quote(self, article):
        rng = self.random
        kind = rng.choices(("full", "fragment", "indirect"), weights=(80, 15, 5))[0]
        status = rng.choices(("approved", "proposed", "rejected"), weights=(95, 4, 1))[0]
        topics = tuple(t for t in article.topics if rng.random() < 0.7)
        if self._recent and rng.random() < 0.08:
            # The same words reported again, by another outlet, as one statement.
            index = rng.randrange(len(self._recent))
            speaker, text, statement = self._recent[index]
            if statement is None:
                statement = next(self._statements)
                self._recent[index] = (speaker, text, statement)
            return GeneratedQuote(text, 0, 0, speaker, kind, status, topics, statement)
        length = self.length(3.05, 0.5, 4, 90)
        text = self.sentence(length).rstrip(".") if length > 6 else " ".join(self.words(length))
        quote = GeneratedQuote(text, 0, 0, self.speaker(), kind, status, topics)
        self._recent.append((quote.speaker, text, None))
        if len(self._recent) > 500:
            self._recent = self._recent[-250:]
        return quote

    def articles(self, count):
        for _ in range(count):
            yield self.article()
