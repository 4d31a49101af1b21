"""The Whoosh backend's own machinery: what it writes must be what Whoosh itself would write."""

import datetime
import json
from pathlib import Path

import pytest
from haystack import connections
from whoosh.fields import TEXT

from statements.search_backend import StemmedText, WordsText, stemmed_analyzer, words_analyzer

SEEDS = Path(__file__).resolve().parent.parent / "fixtures" / "seeds"

TEXTS = [
    "",
    "a",
    "The the THE tHe: of, and; a I",
    "Blinken said the U.S. would “never” accept China’s coercion — never.",
    "İstanbul İzmir ǅemal straße STRASSE Ωμέγα naïve café façade",
    "北京 said 东京, 2024 and 3.6 degrees; snake_case_words and x1y2 ½ ² ³",
    "don't won't it's O'Brien's co-operation re-elect",
    "running runs ran runner sanctions sanction sanctioned generously generous",
    "repeat repeat repeat repeat Repeat REPEAT",
    "\n".join(["Antony Blinken", "the top U.S. diplomat", "Secretary of State", "Headline: China and the U.S."]),
]


def seed_texts():
    return [path.read_text(encoding="utf-8") for path in sorted(SEEDS.glob("*.txt"))]


def stock_postings(field, text):
    return sorted(field.index(text))


@pytest.mark.parametrize(
    ("direct", "stock"),
    [
        (WordsText(), TEXT(analyzer=words_analyzer(), phrase=True)),
        (StemmedText(), TEXT(analyzer=stemmed_analyzer(), phrase=False)),
    ],
    ids=["words", "stemmed"],
)
def test_directly_indexed_fields_write_the_postings_whoosh_writes(direct, stock):
    texts = TEXTS + seed_texts()
    assert len(texts) > len(TEXTS), "the seed articles are part of the comparison"
    for text in texts:
        assert sorted(direct.index(text)) == stock_postings(stock, text), text[:60]
    # Queries and options still go through the analyzer.
    assert list(direct.process_text("Sanctions ON China", mode="query")) == list(stock.process_text("Sanctions ON China", mode="query"))
    assert sorted(direct.index("Running Runs", mode="index")) == stock_postings(stock, "Running Runs")


def test_fields_indexing_the_same_texts_by_turns_each_write_their_own_postings():
    # The three fields of a document share the words of the text last indexed; texts coming
    # back by turns, as they do document after document and field after field, are no mix-up.
    from statements.search_backend import WordPairsText

    fields = [
        (WordsText(), TEXT(analyzer=words_analyzer(), phrase=True)),
        (StemmedText(), TEXT(analyzer=stemmed_analyzer(), phrase=False)),
        (WordPairsText(), None),
    ]
    texts = TEXTS[3:] + seed_texts()
    texts.append(texts[-1] + " and one word more")  # a text that begins as the one before it does
    expected = [[sorted(direct.index(text)) for direct, _ in fields] for text in texts]  # in order, once
    for _ in range(2):
        for number in [*range(len(texts)), *reversed(range(len(texts)))]:
            for column, (direct, stock) in enumerate(fields):
                postings = sorted(direct.index(texts[number]))
                assert postings == expected[number][column], (column, texts[number][:40])
                if stock is not None:
                    assert postings == stock_postings(stock, texts[number])
                # The same words in another string object, and a text in between.
                assert sorted(direct.index("".join(texts[number]))) == postings
                direct.index(texts[number - 1])


def test_a_bulk_build_takes_each_fields_postings_as_whoosh_gives_them(db):
    from whoosh.analysis import IDTokenizer, LowercaseFilter
    from whoosh.fields import DATETIME, ID, KEYWORD

    from statements.search_backend import _posting_columns

    backend = connections["default"].get_backend()
    backend.setup()
    fields = {name: backend.schema[name] for name in backend.schema.names()} | {
        "lowercased id": ID(analyzer=IDTokenizer() | LowercaseFilter()),
        "boosted id": ID(field_boost=2.5),
        "keywords": KEYWORD(commas=True, lowercase=False),
    }
    texts = [*TEXTS, " padded value ", "Mixed Case", "china-us,trade,china-us", "statements.quote.12"]
    dates = [datetime.datetime(2024, 3, 1), datetime.datetime(1999, 12, 31, 23, 59)]
    for name, field in fields.items():
        if not field.indexed:
            continue
        for value in dates if isinstance(field, DATETIME) else texts:
            stock = sorted(field.index(value))
            columns = _posting_columns(field, value)
            assert sorted(zip(*columns, strict=True)) == stock, (name, value)


def test_the_quote_schema_uses_the_directly_indexed_fields(db):
    backend = connections["default"].get_backend()
    backend.setup()
    assert isinstance(backend.schema["words"], WordsText)
    assert isinstance(backend.schema["text"], StemmedText)
    assert not backend.schema["django_id"].indexed  # stored for results; documents are found by "id"


REBUILD = """
import json
from haystack import connections
from haystack.query import SearchQuerySet
from statements.indexing import index_rebuild
from statements.models import Article, Quote
from statements.search_indexes import QuoteIndex
{before}
try:
    figures = index_rebuild(procs=2, part_size=4)
except RuntimeError as error:
    figures = {{"error": str(error)}}
searcher = connections["default"].get_backend().searcher()
print(json.dumps({{
    "figures": figures,
    "segments": len(list(searcher.reader().leaf_readers())),
    "documents": searcher.doc_count(),
    "quotes": sorted(int(r.pk) for r in SearchQuerySet().models(Quote).all()[:1000]),
    "articles": sorted(int(r.pk) for r in SearchQuerySet().models(Article).all()[:1000]),
    "published_quotes": sorted(Quote.objects.published().values_list("pk", flat=True)),
    "published_articles": sorted(Article.objects.published().values_list("pk", flat=True)),
    "coercive": [int(r.pk) for r in SearchQuerySet().models(Quote).filter(words='"coercive behavior"')],
    "coercive_quote": list(Quote.objects.filter(text__contains="coercive behavior").values_list("pk", flat=True)),
}}))
"""

FAIL_IN_A_WRITER = """
last = Quote.objects.published().order_by("pk").last().pk
prepare = QuoteIndex.prepare_text
def failing(self, quote):
    if quote.pk == last:
        raise ValueError("this quote cannot be prepared")
    return prepare(self, quote)
QuoteIndex.prepare_text = failing
"""


def rebuild(manage, before=""):
    result = manage("shell", "-c", REBUILD.format(before=before))
    return json.loads(result.stdout.strip().splitlines()[-1]), result.stderr


def test_a_rebuild_in_writer_processes_indexes_every_published_row_once(file_archive):
    state, _ = rebuild(file_archive)
    # Two processes wrote a segment of quotes each; the two articles are one part, written in-process.
    assert state["segments"] == 3
    assert state["quotes"] == state["published_quotes"]
    assert state["articles"] == state["published_articles"]
    assert state["documents"] == len(state["published_quotes"]) + len(state["published_articles"])
    assert state["figures"]["statements.quote"]["documents"] == len(state["published_quotes"])
    assert state["coercive"] == state["coercive_quote"] and state["coercive"]


def test_a_failing_writer_process_fails_the_rebuild_and_writes_no_partial_index(file_archive):
    state, stderr = rebuild(file_archive, before=FAIL_IN_A_WRITER)
    assert "index writer process" in state["figures"]["error"]
    assert "this quote cannot be prepared" in stderr
    assert state["quotes"] == [] and state["documents"] == 0

    state, _ = rebuild(file_archive)
    assert state["quotes"] == state["published_quotes"], "the writer lock was released"


@pytest.mark.parametrize("limitmb, runs", [(0.2, 4), (64, 0)])
def test_the_chunked_run_pool_gives_the_postings_in_whoosh_order_in_memory_and_when_it_spills(tmp_path, limitmb, runs):
    import random

    from whoosh.filedb.filestore import FileStorage
    from whoosh.writing import PostingPool

    from statements.search_backend import _ChunkedRunPool

    rng = random.Random(7)
    # One posting per field, term and document, as a writer makes them (here in no order).
    keys = {
        (rng.choice(["text", "words", "id"]), rng.choice(["china", "law", "rule", "ß", "北京"]).encode() + bytes([rng.randrange(256)]), rng.randrange(5000))
        for _ in range(30_000)
    }
    postings = [(*key, float(rng.randrange(1, 4)), rng.choice([None, b"", b"\x00\x01"])) for key in keys]
    storage = FileStorage(str(tmp_path))
    stock, chunked = PostingPool(storage, None, limitmb=limitmb), _ChunkedRunPool(storage, None, limitmb=limitmb)
    chunked.CHUNK = 1000
    for posting in postings:
        stock.add(posting)
        chunked.add(posting)
    assert len(chunked.runs) >= runs and (runs or not chunked.runs), "the pool wrote runs to disk only when over its limit"
    assert list(chunked.iter_postings()) == list(stock.iter_postings()) == sorted(postings)


def index_contents(backend):
    reader = backend.searcher().reader()
    return {(field, term): list(reader.postings(field, term).all_items()) for field, term in reader.all_terms()}


def test_an_index_built_through_spilled_runs_is_the_index_built_in_memory(indexed_seed):
    from statements.indexing import key_ranges
    from statements.models import Quote

    backend = connections["default"].get_backend()
    index = connections["default"].get_unified_index().get_index(Quote)
    built = {}
    for limitmb in (None, 0.01):  # the default never spills the seed; 10 kB spills every few quotes
        backend.clear()
        added = backend.bulk_index(index, key_ranges(index.index_queryset(), size=5), procs=1, limitmb=limitmb)
        built[limitmb] = index_contents(backend)
    assert added == Quote.objects.published().count()
    assert len(built[None]) > 400
    assert built[0.01] == built[None]


def test_clearing_one_model_leaves_the_others_documents_and_merges_nothing(indexed_seed):
    from haystack.query import SearchQuerySet

    from statements.models import Article, Quote

    backend = connections["default"].get_backend()
    index = connections["default"].get_unified_index().get_index(Quote)
    quotes = list(Quote.objects.published().order_by("pk"))
    for quote in quotes:  # one small segment each, as many as a merge would take together
        backend.update(index, [quote])
    segments = len(backend.index._segments())
    assert segments > len(quotes)

    backend.clear(models=[Quote])
    backend.searcher().refresh()
    assert list(SearchQuerySet().models(Quote).all()) == []
    assert sorted(int(r.pk) for r in SearchQuerySet().models(Article).all()) == sorted(Article.objects.published().values_list("pk", flat=True))
    assert len(backend.index.refresh()._segments()) >= segments  # the deletions' commit merged nothing


def test_an_article_imported_by_a_fresh_process_is_searchable_at_once(file_archive, tmp_path):
    # The first index update of a process prepares its documents before the backend is set up.
    article = tmp_path / "tariffs.txt"
    article.write_text(
        "Ministry answers on tariffs\n\nThe minister said: “We will answer every zanzibarian tariff in kind.”\n",
        encoding="utf-8",
    )
    imported = file_archive("import_articles", "--publish", str(article))
    assert "deferred" not in imported.stderr
    state = file_archive(
        "shell", "-c",
        "from haystack.query import SearchQuerySet\n"
        "from statements.models import Article, IndexQueueEntry\n"
        "print([r.object.title for r in SearchQuerySet().models(Article).filter(content='zanzibarian')],"
        " IndexQueueEntry.objects.count())",
    )
    assert state.stdout.strip().splitlines()[-1] == "['Ministry answers on tariffs'] 0"


def test_segments_written_with_short_posting_lists_inlined_are_read_and_merged_by_stock_whoosh(tmp_path):
    from whoosh import index as whoosh_index
    from whoosh.fields import ID, Schema
    from whoosh.query import Phrase, Term

    from statements.search_backend import FlushingCodec, _SegmentPostingsWriter

    schema = Schema(id=ID(stored=True, unique=True), words=WordsText(), text=StemmedText())
    # Terms in one document (inlined), in a few (an uncompressed block) and in every one
    # (full, compressed blocks of 128 and the rest).
    documents = [
        {"id": str(n), "words": f"common talk {'rare' if n == 7 else ''} {'few words' if n % 50 == 0 else ''} n{n}"}
        for n in range(300)
    ]
    assert 300 // 50 < _SegmentPostingsWriter.COMPRESSED_FROM < 128
    indexes = {}
    for name, codec in (("stock", None), ("archive", FlushingCodec())):
        (tmp_path / name).mkdir()
        ix = whoosh_index.create_in(str(tmp_path / name), schema)
        for half in (documents[:150], documents[150:]):  # two segments, for the merge below
            writer = ix.writer(**({"codec": codec} if codec else {}))
            for document in half:
                writer.add_document(**document, text=document["words"])
            writer.commit(merge=False)
        indexes[name] = ix

    def contents(ix):
        with ix.searcher() as searcher:
            reader = searcher.reader()
            postings = {
                (field, term): (reader.doc_frequency(field, term), list(reader.postings(field, term).items_as("positions" if field == "words" else "frequency")))
                for field, term in reader.all_terms()
                if field in {"words", "text"}
            }
            found = {
                query: [hit["id"] for hit in searcher.search(query, limit=None)]
                for query in (Term("words", "rare"), Term("words", "common"), Term("text", "talk"), Phrase("words", ["few", "words"]), Phrase("words", ["talk", "rare"]))
            }
            return postings, found

    with indexes["archive"].reader() as reader:
        segment_reader = reader.leaf_readers()[0][0]
        assert segment_reader.term_info("words", "rare").is_inlined()
        assert not segment_reader.term_info("words", "common").is_inlined()
    with indexes["stock"].reader() as reader:
        assert not reader.leaf_readers()[0][0].term_info("words", "rare").is_inlined()

    stock = contents(indexes["stock"])
    assert stock[1][Term("words", "rare")] == stock[1][Phrase("words", ["talk", "rare"])] == ["7"]
    assert len(stock[1][Term("words", "common")]) == 300 and len(stock[1][Phrase("words", ["few", "words"])]) == 6
    assert contents(indexes["archive"]) == stock
    # Stock Whoosh merges the archive's segments into one of its own.
    whoosh_index.open_dir(str(tmp_path / "archive")).optimize()
    merged = whoosh_index.open_dir(str(tmp_path / "archive"))
    assert len(merged._segments()) == 1
    assert contents(merged) == stock


def test_posting_data_holds_each_words_positions_as_plain_bytes(tmp_path):
    """Whoosh pickles posting data with protocol 2, where each value (a word's encoded
    positions) is a call to _codecs.encode: unpickling a block of them was most of the cost of
    an exact phrase over common words. The archive's writer pickles them as bytes, in blocks,
    short blocks and inlined postings alike; stock Whoosh reads them (the test above). This
    writes through Whoosh's own writer with the archive's codec; the bulk build's rows are
    compared with that byte for byte below."""
    import zlib

    from whoosh import index as whoosh_index
    from whoosh.fields import ID, Schema

    from statements.search_backend import FlushingCodec

    schema = Schema(id=ID(stored=True, unique=True), words=WordsText())
    documents = [{"id": str(n), "words": f"common {'rare' if n == 7 else ''} {'few' if n % 50 == 0 else ''}"} for n in range(300)]

    def posting_data(codec):
        folder = tmp_path / ("archive" if codec else "stock")
        folder.mkdir()
        ix = whoosh_index.create_in(str(folder), schema)
        writer = ix.writer(**({"codec": codec} if codec else {}))
        for document in documents:
            writer.add_document(**document)
        writer.commit()
        found = {}
        with ix.reader() as reader:
            segment_reader = reader.leaf_readers()[0][0]
            terms = segment_reader._terms
            for word in ("common", "few", "rare"):
                info = segment_reader.term_info("words", word)
                if info.is_inlined():
                    row = terms._tindex[terms._keycoder("words", word.encode())]
                    found[word] = row[info._struct.size :]
                    continue
                matcher = segment_reader.postings("words", word)
                matcher = getattr(matcher, "child", matcher)
                data = matcher._postfile.get(matcher._dataoffset, matcher._nextoffset - matcher._dataoffset)
                found[word] = zlib.decompress(data) if matcher._compression else data
        return found

    stock = posting_data(None)
    assert all(b"_codecs" in data for data in stock.values())
    archive = posting_data(FlushingCodec())
    assert set(archive) == {"common", "few", "rare"}
    for data in archive.values():
        assert b"_codecs" not in data
        assert data.startswith(b"\x80\x03")


@pytest.mark.parametrize(("limitmb", "flush_parts"), [(64, 512), (0.05, 3)])
def test_a_bulk_build_hands_each_terms_postings_at_once_and_writes_the_segment_byte_for_byte(tmp_path, monkeypatch, limitmb, flush_parts):
    import datetime

    from whoosh import index as whoosh_index
    from whoosh.fields import DATETIME, ID, KEYWORD, Schema

    from statements.search_backend import (
        FlushingCodec,
        WordPairsText,
        _Appended,
        _ChunkedRunPool,
        _TermTable,
        bulk_add_document,
    )

    schema = Schema(
        id=ID(stored=True, unique=True), words=WordsText(), words_pairs=WordPairsText(), text=StemmedText(),
        topics=KEYWORD(), date=DATETIME(sortable=True),
    )
    # Terms in one document, in a few and in every one (blocks of 128 and the rest), repeated
    # words (weights), documents of many lengths (the blocks' length statistics), columns.
    documents = []
    for n in range(700):
        words = f"common talk {'rare' if n == 7 else ''} {'few words' if n % 50 == 0 else ''} n{n} it is the " + "again " * (n % 9) + "filler " * (n % 40)
        documents.append({
            "id": str(n), "words": words, "words_pairs": words, "text": words,
            "topics": " ".join(f"topic{t}" for t in range(n % 4)) or None,
            "date": datetime.datetime(2000 + n % 27, 1 + n % 12, 1) if n % 5 else None,
        })

    def segment_files(name, pool, add):
        (tmp_path / name).mkdir()
        ix = whoosh_index.create_in(str(tmp_path / name), schema)
        writer = ix.writer(codec=FlushingCodec(), compound=False)
        if pool:
            writer.pool = pool(writer.pool)
        for document in documents:
            add(writer, document)
        writer.commit(merge=False)
        # Named by what they hold: MAIN_<segment id>.<part>.
        return {path.name.split(".", 1)[1]: path.read_bytes() for path in (tmp_path / name).glob("MAIN_*.*")}

    def term_by_term(pool):
        chunked = _ChunkedRunPool.replacing(pool)
        chunked.limit = limitmb * 1024 * 1024
        return chunked

    runs = []
    monkeypatch.setattr(_ChunkedRunPool, "_add_run", lambda pool, path: (runs.append(path), pool.runs.append(path)))
    # Whoosh's pool, add_document and term table: the field writer reads posting by posting
    # and writes each row and hash slot itself.
    with monkeypatch.context() as stock_writer:
        stock_writer.setattr(_TermTable, "continuing", classmethod(lambda cls, table: table))
        stock = segment_files("stock", None, lambda writer, document: writer.add_document(**document))
    # The archive's, writing its buffered rows and blocks every `flush_parts` (3: between
    # short blocks and long terms' own writes, all along the files).
    monkeypatch.setattr(_Appended, "FLUSH_PARTS", flush_parts)
    grouped = segment_files("grouped", term_by_term, bulk_add_document)
    assert {"pst", "trm", "_stored.col", "_words_len.col", "date.col"} <= set(stock) and len(stock["pst"]) > 10_000
    assert grouped == stock
    assert (len(runs) > 3) == (limitmb < 1), "the small pool spilled sorted runs, the large one none"


def test_the_term_table_is_the_file_whoosh_writes_and_reads(tmp_path):
    import random

    from whoosh.filedb.filestore import FileStorage
    from whoosh.filedb.filetables import OrderedHashReader, OrderedHashWriter

    from statements.search_backend import _Appended, _TermTable

    # Rows of every size, more than the writer keeps before it writes (_Appended.FLUSH_PARTS),
    # and enough of them that the key index needs wider positions than 16 bits.
    chance = random.Random(8)
    rows = [(f"k{n:06d}".encode(), chance.randbytes(chance.randrange(60))) for n in range(6 * _Appended.FLUSH_PARTS)]
    storage = FileStorage(str(tmp_path))
    for name, table_for in (("stock", OrderedHashWriter), ("archive", lambda file: _TermTable.continuing(OrderedHashWriter(file)))):
        table = table_for(storage.create_file(name))
        for key, value in rows:
            table.add(key, value)
        table.extras["fieldmap"] = {"words": 0}
        table.close()
    assert storage.open_file("archive").read() == storage.open_file("stock").read()

    reader = OrderedHashReader.open(storage, "archive")
    assert reader[b"k000123"] == rows[123][1]
    assert reader.closest_key(b"k000123x") == b"k000124"
    assert list(reader.keys()) == [key for key, _ in rows]
    table = _TermTable.continuing(OrderedHashWriter(storage.create_file("unordered")))
    table.add(b"b", b"")
    with pytest.raises(ValueError, match="Keys must increase"):
        table.add(b"a", b"")


@pytest.mark.parametrize("limitmb", [64, 0.05])
def test_merging_segments_copies_their_postings_a_term_at_a_time_into_the_segment_whoosh_writes(tmp_path, limitmb):
    """Commits merge small segments (MERGE_SMALL), some with deleted documents: the archive's
    writer reads each term's postings a block at a time, and writes the same segment."""
    import datetime

    from whoosh import index as whoosh_index
    from whoosh.fields import DATETIME, ID, KEYWORD, Schema
    from whoosh.query import Term
    from whoosh.writing import SegmentWriter

    from statements.search_backend import FlushingCodec, WordPairsText, _ArchiveSegmentWriter

    schema = Schema(
        id=ID(stored=True, unique=True), words=WordsText(), words_pairs=WordPairsText(), text=StemmedText(),
        topics=KEYWORD(), date=DATETIME(sortable=True),
    )

    def document(n):
        words = f"common talk {'rare' if n == 7 else ''} {'few words' if n % 50 == 0 else ''} n{n} it is the " + "again " * (n % 9) + "filler " * (n % 40)
        return {
            "id": str(n), "words": words, "words_pairs": words, "text": words,
            "topics": " ".join(f"topic{t}" for t in range(n % 4)) or None,
            "date": datetime.datetime(2000 + n % 27, 1 + n % 12, 1) if n % 5 else None,
        }

    def merged_files(name, writer_class):
        (tmp_path / name).mkdir()
        ix = whoosh_index.create_in(str(tmp_path / name), schema)
        for first in range(0, 600, 200):  # three segments, as three imports leave them
            writer = SegmentWriter(ix, codec=FlushingCodec())
            for n in range(first, first + 200):
                writer.add_document(**document(n))
            writer.commit(merge=False)
        writer = SegmentWriter(ix, codec=FlushingCodec())
        for n in [*range(3, 600, 7), 7, 250]:  # documents deleted in every segment, a rare term's only one
            writer.delete_by_term("id", str(n))
        writer.commit(merge=False)
        writer = writer_class(ix, codec=FlushingCodec(), compound=False, limitmb=limitmb)
        for n in range(1000, 1100):  # documents added by the same commit, before the merge
            writer.add_document(**document(n))
        writer.commit(optimize=True)
        ix = whoosh_index.open_dir(str(tmp_path / name))
        assert len(ix._segments()) == 1
        merged = 600 - len({*range(3, 600, 7), 7, 250}) + 100
        with ix.searcher() as searcher:
            assert searcher.doc_count() == merged
            assert not searcher.search(Term("words", "rare")) and len(searcher.search(Term("words", "talk"), limit=None)) == searcher.doc_count()
        files = {path.name.split(".", 1)[1]: path.read_bytes() for path in (tmp_path / name).glob("MAIN_*.*")}
        # A document added after a segment (Whoosh allows it): numbered past the segment's.
        writer = writer_class(ix, codec=FlushingCodec(), compound=False, limitmb=limitmb)
        with ix.reader() as reader:
            writer.add_reader(reader)
        writer.add_document(**document(2000))
        writer.commit(merge=False)
        with whoosh_index.open_dir(str(tmp_path / name)).searcher() as searcher:
            assert [hit["id"] for hit in searcher.search(Term("words", "n2000"))] == ["2000"]
            assert searcher.doc_count() == 2 * merged + 1
        return files, sorted(path.read_bytes() for path in (tmp_path / name).glob("MAIN_*.pst"))

    stock = merged_files("stock", SegmentWriter)  # Whoosh's pool, copying posting by posting
    archive = merged_files("archive", _ArchiveSegmentWriter)
    assert {"pst", "trm", "_stored.col", "_words_len.col", "date.col"} <= set(stock[0]) and len(stock[0]["pst"]) > 10_000
    assert archive == stock


@pytest.mark.parametrize("limitmb", [64, 0.002])
def test_a_pool_given_postings_out_of_document_order_hands_them_back_in_whoosh_order(tmp_path, limitmb):
    """As Whoosh's own merge adds them (term by term, segment after segment), spilled to sorted
    runs or not: (field, term, document) order, each term's postings at once."""
    import random

    from whoosh.filedb.filestore import FileStorage

    from statements.search_backend import _ChunkedRunPool

    postings = [
        (field, term.encode(), docnum, float(docnum % 3 + 1), b"v%d" % docnum)
        for docnum in range(40)
        for field in ("body", "alpha")
        for term in ("common", f"t{docnum % 4}", f"n{docnum}")
    ]
    random.Random(8).shuffle(postings)
    pool = _ChunkedRunPool(FileStorage(str(tmp_path)), None, limitmb=limitmb)
    for posting in postings:
        pool.add(posting)
    assert (len(pool.runs) > 3) == (limitmb < 1)
    expected = sorted(postings, key=lambda posting: posting[:3])
    groups = list(pool.term_groups())
    assert [(field, term, *posting) for field, term, *columns in groups for posting in zip(*columns, strict=True)] == expected
    assert len(groups) == len({posting[:2] for posting in postings})
    assert not list(tmp_path.iterdir()), "the runs were removed once read"
