"""Every piece of HTML that enters the archive goes through `sanitize_html` (bleach behind it),
and the plain text that quote offsets index is derived from that sanitized HTML."""

import html
import re
from html.parser import HTMLParser

import bleach

ALLOWED_TAGS = frozenset(
    {
        "p", "br", "h2", "h3", "h4", "h5", "h6", "blockquote", "q", "ul", "ol", "li",
        "strong", "em", "b", "i", "u", "a", "abbr", "cite", "code", "pre", "sub", "sup",
        "figure", "figcaption", "table", "thead", "tbody", "tr", "th", "td", "hr",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": ["href", "title"], "abbr": ["title"], "q": ["cite"]}
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})
# Their content is not text a reader should see: dropped whole, not unwrapped.
DROPPED_ELEMENTS = ("script", "style", "iframe", "object", "embed", "noscript", "template", "svg", "math", "head", "title")

BLOCK_TAGS = frozenset(
    {
        "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "ul", "ol", "li",
        "figure", "figcaption", "table", "tr", "pre", "hr", "section", "article",
    }
)  # fmt: skip

_cleaner = bleach.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=ALLOWED_ATTRIBUTES,
    protocols=ALLOWED_PROTOCOLS,
    strip=True,
    strip_comments=True,
)
_whitespace = re.compile(r"\s+")
_paragraph_break = re.compile(r"\n\s*\n")


def sanitize_html(markup):
    """Safe HTML for display: an allow-list of tags and attributes, no script, no styles,
    no event handlers, no javascript: links. The one gate for HTML entering the archive."""
    cleaned = _cleaner.clean(_drop_unreadable_elements(markup or ""))
    return cleaned.strip()


def _drop_unreadable_elements(markup):
    # Only the part up to the last closing tag is searched, so a flood of unclosed openers
    # cannot make this quadratic; what is left unclosed, bleach strips to escaped text.
    for tag in DROPPED_ELEMENTS:
        closings = list(re.finditer(rf"</{tag}\s*>", markup, re.IGNORECASE))
        if not closings:
            continue
        last = closings[-1]
        element = re.compile(rf"<{tag}\b[^>]*>.*?</{tag}\s*>", re.IGNORECASE | re.DOTALL)
        markup = element.sub("", markup[: last.end()]) + markup[last.end() :]
    return markup


class _TextExtractor(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.paragraphs = []
        self.current = []

    def _flush(self):
        paragraph = _whitespace.sub(" ", "".join(self.current)).strip()
        if paragraph:
            self.paragraphs.append(paragraph)
        self.current = []

    def handle_starttag(self, tag, attrs):
        if tag in BLOCK_TAGS:
            self._flush()
        elif tag == "br":
            self.current.append(" ")

    def handle_endtag(self, tag):
        if tag in BLOCK_TAGS:
            self._flush()

    def handle_data(self, data):
        self.current.append(data)

    def close(self):
        super().close()
        self._flush()


def html_to_text(markup):
    """The readable text of (sanitized) HTML: one paragraph per block, separated by a blank
    line, white space inside a paragraph folded to single spaces."""
    extractor = _TextExtractor()
    extractor.feed(markup or "")
    extractor.close()
    return "\n\n".join(extractor.paragraphs)


def normalize_plain_text(text):
    """Paragraphs split on blank lines, white space inside each folded to single spaces."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    paragraphs = (_whitespace.sub(" ", p).strip() for p in _paragraph_break.split(text))
    return "\n\n".join(p for p in paragraphs if p)


def text_to_html(text):
    """HTML for plain text: each paragraph a <p>, escaped. html_to_text() gives the text back."""
    return "\n".join(
        f"<p>{html.escape(p, quote=False)}</p>" for p in normalize_plain_text(text).split("\n\n") if p
    )


def looks_like_html(content):
    return bool(re.search(r"<(p|div|br|h[1-6]|html|body|article|span|a|ul|li)\b", content or "", re.I))
