from statements.sanitizing import html_to_text, sanitize_html, text_to_html


def test_script_elements_and_their_content_are_removed():
    cleaned = sanitize_html("<p>Hello</p><script>alert('x')</script><SCRIPT src=evil.js></SCRIPT>")
    assert cleaned == "<p>Hello</p>"


def test_event_handler_attributes_are_removed():
    cleaned = sanitize_html('<p onclick="steal()" onmouseover="x()">Words</p><img src=x onerror="alert(1)">')
    assert cleaned == "<p>Words</p>"


def test_javascript_urls_are_removed():
    assert sanitize_html('<a href="javascript:alert(1)">link</a>') == "<a>link</a>"
    assert sanitize_html('<a href=" JaVaScRiPt:alert(1)">link</a>') == "<a>link</a>"
    assert sanitize_html('<a href="https://example.org/x">ok</a>') == '<a href="https://example.org/x">ok</a>'


def test_iframes_and_styles_are_removed():
    cleaned = sanitize_html('<iframe src="https://evil"></iframe><style>body{display:none}</style><p style="color:red">Text</p>')
    assert cleaned == "<p>Text</p>"


def test_unclosed_script_never_survives_as_markup():
    cleaned = sanitize_html("<p>Before</p><script>alert(1)")
    assert "<script" not in cleaned
    assert "&lt;" not in cleaned or "<script" not in cleaned


def test_plain_text_round_trips_through_html():
    text = "First paragraph with “quotes” & <angle brackets>.\n\nSecond   paragraph\nwrapped."
    html = text_to_html(text)
    assert "&lt;angle brackets&gt;" in html
    assert html_to_text(html) == "First paragraph with “quotes” & <angle brackets>.\n\nSecond paragraph wrapped."


def test_html_to_text_keeps_paragraphs_apart():
    assert html_to_text("<h2>Head</h2><p>One <b>bold</b></p><ul><li>a</li><li>b</li></ul>") == "Head\n\nOne bold\n\na\n\nb"
