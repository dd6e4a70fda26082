"""Markdown rendering, HTML sanitising and HTML → text (security.md D-05/D-06, A-2)."""

import re

import pytest

from mitwirken.models.markdown import (
    ALLOWED_TAGS,
    LINK_REL,
    html_to_text,
    render_markdown,
    sanitize_html,
)

REL = f'rel="{LINK_REL}"'


def tags_in(html: str) -> set[str]:
    return {m.lower() for m in re.findall(r"</?([a-zA-Z][a-zA-Z0-9]*)", html)}


# ------------------------------------------------------------------------ render_markdown


def test_basic_markdown_renders() -> None:
    html = render_markdown("Wir suchen **Lesepat:innen** für *Kinder*.\n\n- eins\n- zwei")
    assert "<strong>Lesepat:innen</strong>" in html
    assert "<em>Kinder</em>" in html
    assert "<ul>" in html and "<li>eins</li>" in html


def test_links_get_rel_and_keep_https_and_mailto() -> None:
    html = render_markdown("[Website](https://verein.example/) oder [Mail](mailto:info@verein.de)")
    assert f'<a href="https://verein.example/" {REL}>Website</a>' in html
    assert f'<a href="mailto:info@verein.de" {REL}>Mail</a>' in html


def test_autolinks_work() -> None:
    html = render_markdown("Mehr unter <https://stadt.example/ehrenamt>")
    assert 'href="https://stadt.example/ehrenamt"' in html


@pytest.mark.parametrize(
    "src",
    [
        "<script>alert(1)</script>",
        "Text <script>alert(1)</script> mehr",
        '<img src=x onerror="alert(1)">',
        '<a href="javascript:alert(1)">klick</a>',
        "<iframe src=https://evil.example></iframe>",
        '<b onclick="x()">fett</b>',
        "<!-- versteckt --><style>body{display:none}</style>",
    ],
)
def test_raw_html_in_markdown_is_shown_as_text_not_passed_through(src: str) -> None:
    html = render_markdown(src)
    assert tags_in(html) <= {"p"}
    assert "&lt;" in html  # the editor sees what they typed, escaped
    inner = html.removeprefix("<p>").removesuffix("</p>")
    assert "<" not in inner  # no markup of any kind got through


@pytest.mark.parametrize(
    "src",
    [
        "[klick](javascript:alert(1))",
        "[klick](JaVaScRiPt:alert(1))",
        "[klick](&#106;avascript:alert(1))",
        "[klick](vbscript:msgbox(1))",
        "[klick](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "[klick](file:///etc/passwd)",
    ],
)
def test_dangerous_link_targets_never_become_hrefs(src: str) -> None:
    html = render_markdown(src)
    assert "href" not in html
    assert "klick" in html


@pytest.mark.parametrize(
    "src", ["[weg](//evil.example/x)", "[weg](/admin/delete)", "[weg](x.html)"]
)
def test_relative_and_protocol_relative_links_lose_their_href(src: str) -> None:
    html = render_markdown(src)
    assert "href" not in html
    assert f"<a {REL}>weg</a>" in html


def test_headings_are_mapped_into_the_allowed_range() -> None:
    html = render_markdown(
        "# Eins\n\n## Zwei\n\n### Drei\n\n#### Vier\n\n##### Fünf\n\n###### Sechs"
    )
    assert re.findall(r"<(h\d)>", html) == ["h3", "h3", "h3", "h4", "h4", "h4"]
    assert "Eins</h3>" in html and "Sechs</h4>" in html


def test_single_newline_is_a_line_break() -> None:
    assert render_markdown("Zeile eins\nZeile zwei") == "<p>Zeile eins<br>\nZeile zwei</p>"


def test_images_become_their_alt_text() -> None:
    html = render_markdown("![Kinder beim *Lesen*](https://x.example/a.jpg)")
    assert "<img" not in html and "x.example" not in html
    assert "Kinder beim Lesen" in html


def test_code_strikethrough_quotes_and_numbered_lists() -> None:
    html = render_markdown("~~alt~~ `a<b`\n\n> Zitat\n\n3. drei\n4. vier\n\n```js\nx()\n```")
    assert "<s>alt</s>" in html
    assert "<code>a&lt;b</code>" in html
    assert "<blockquote>" in html
    assert '<ol start="3">' in html
    assert "<pre><code>x()" in html  # the language class is stripped
    assert "class=" not in html


def test_output_only_contains_allowed_tags() -> None:
    src = "# T\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n***\n\n![i](https://x.example/i.png)"
    assert tags_in(render_markdown(src)) <= set(ALLOWED_TAGS)


def test_empty_markdown() -> None:
    assert render_markdown("") == ""
    assert render_markdown("   \n  ") == ""


# ------------------------------------------------------------------------ sanitize_html


@pytest.mark.parametrize(
    ("dirty", "clean"),
    [
        ("<script>alert(1)</script>hi", "hi"),
        ('<a href="javascript:alert(1)">x</a>', f"<a {REL}>x</a>"),
        ('<a href="JaVaScRiPt:alert(1)">x</a>', f"<a {REL}>x</a>"),
        ('<a href="&#106;avascript:alert(1)">x</a>', f"<a {REL}>x</a>"),
        ('<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>', f"<a {REL}>x</a>"),
        ("<img src=x onerror=alert(1)>", ""),
        ("<svg><animate onbegin=alert(1) attributeName=x></animate></svg>", ""),
        ("<iframe src=https://evil.example>inner</iframe>", ""),
        ("<form><input name=x></form>", ""),
        ("<math><mi>x</mi></math>", ""),
        ('<p style="position:fixed" onclick="x()">p</p>', "<p>p</p>"),
        ('<a href="//evil.example/x">e</a>', f"<a {REL}>e</a>"),
        ('<a href="/admin/delete">e</a>', f"<a {REL}>e</a>"),
        (
            '<a href="https://ok.example/" class="mention u-url" target="_self">@x</a>',
            f'<a href="https://ok.example/" {REL}>@x</a>',
        ),
        (
            '<a href="https://ok.example/" rel="opener">x</a>',
            f'<a href="https://ok.example/" {REL}>x</a>',
        ),
        ("<h1>Titel</h1><!-- c --><h6>klein</h6>", "<h3>Titel</h3><h4>klein</h4>"),
        ('<ol start="2"><li>a</li></ol>', '<ol start="2"><li>a</li></ol>'),
        ('<ol start="1;x"><li>a</li></ol>', "<ol><li>a</li></ol>"),
        ("<div><span>text</span></div>", "text"),
    ],
)
def test_sanitize_html(dirty: str, clean: str) -> None:
    assert sanitize_html(dirty) == clean


def test_sanitize_html_keeps_the_allow_list() -> None:
    html = (
        "<p>a<br><strong>b</strong><em>c</em><b>d</b><i>e</i><u>f</u><s>g</s><del>h</del>"
        "<code>i</code></p><pre>j</pre><blockquote>k</blockquote><ul><li>l</li></ul>"
        "<ol><li>m</li></ol><h3>n</h3><h4>o</h4>"
    )
    assert sanitize_html(html) == html


def test_sanitize_html_empty() -> None:
    assert sanitize_html("") == ""


# ------------------------------------------------------------------------ html_to_text


def test_html_to_text_decodes_entities_and_keeps_blocks_apart() -> None:
    html = "<p>Hallo&nbsp;<b>Welt</b> &amp; mehr</p><ul><li>eins</li><li>zwei</li></ul>x<br>y"
    assert html_to_text(html) == "Hallo Welt & mehr\neins\nzwei\nx\ny"


def test_html_to_text_drops_script_and_style_content() -> None:
    html = "<p>sichtbar</p><script>alert('x')</script><style>p{}</style><p>auch</p>"
    assert html_to_text(html) == "sichtbar\nauch"


def test_html_to_text_output_is_text_not_markup() -> None:
    # an escaped tag in the input is decoded into text; callers must escape it again
    assert html_to_text("<p>&lt;script&gt;</p>") == "<script>"


def test_html_to_text_collapses_whitespace() -> None:
    assert html_to_text("<p>  viel \n\t Platz  </p>\n\n<p></p>") == "viel Platz"
    assert html_to_text("") == ""
