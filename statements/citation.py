"""Citations of a quote, ready to paste: plain text and BibTeX."""

import datetime
import re


def plain_text(quote, permalink, *, accessed=None):
    article = quote.article
    accessed = accessed or datetime.date.today()
    parts = [f"{quote.speaker.name}, “{quote.text}”"]
    parts.append(f"in “{article.title}”")
    if article.source_id:
        parts.append(article.source.name)
    if article.published:
        parts.append(f"{article.published:%-d %B %Y}")
    cited = ", ".join(parts)
    return f"{cited}. Statements Archive, {permalink} (accessed {accessed:%-d %B %Y})."


def _bibtex_escape(text):
    return re.sub(r"([{}%&$#_])", r"\\\1", text)


def bibtex(quote, permalink, *, accessed=None):
    article = quote.article
    accessed = accessed or datetime.date.today()
    surname = quote.speaker.name.split()[-1] if quote.speaker.name.split() else "quote"
    key = re.sub(r"\W", "", surname.lower()) + (f"{article.published:%Y}" if article.published else "") + f"q{quote.pk}"
    fields = [
        ("author", f"{{{_bibtex_escape(quote.speaker.name)}}}"),
        ("title", f"{{“{_bibtex_escape(quote.text)}”}}"),
        ("howpublished", f"{{In “{_bibtex_escape(article.title)}”{', ' + _bibtex_escape(article.source.name) if article.source_id else ''}}}"),
        ("year", f"{{{article.published:%Y}}}" if article.published else None),
        ("date", f"{{{article.published.isoformat()}}}" if article.published else None),
        ("url", f"{{{permalink}}}"),
        ("urldate", f"{{{accessed.isoformat()}}}"),
        ("note", "{Statements Archive}"),
    ]
    body = ",\n".join(f"  {name} = {value}" for name, value in fields if value)
    return f"@misc{{{key},\n{body}\n}}"
