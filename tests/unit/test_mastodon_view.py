"""The preview's model of Mastodon's sanitiser keeps what Mastodon keeps and drops the rest."""

from __future__ import annotations

from mitwirken.federation.mastodon_view import mastodon_sanitise, mastodon_status_html


def test_keeps_mastodon_tags_and_microformat_classes():
    html = ('<p>Hallo <strong>Welt</strong><br><a href="https://x.example/tags/a" '
            'class="mention hashtag u-url">#<span>A</span></a> '
            '<span class="invisible">https://</span><span class="ellipsis">x</span></p>'
            '<ol start="3"><li value="3">drei</li></ol>')
    out = mastodon_sanitise(html)
    assert '<strong>Welt</strong><br>' in out
    assert 'class="mention hashtag u-url"' in out
    assert '<span class="invisible">https://</span>' in out
    assert '<ol start="3"><li value="3">drei</li></ol>' in out
    assert 'rel="nofollow noopener"' in out and 'target="_blank"' in out


def test_drops_what_mastodon_drops():
    html = ('<h1>Titel</h1><p class="lead" style="color:red" onclick="x()">Text '
            '<img src="https://x.example/i.png"><a href="javascript:alert(1)" rel="me">a</a>'
            '<script>alert(1)</script><table><tr><td>Zelle</td></tr></table></p>')
    out = mastodon_sanitise(html)
    for gone in ("<h1", "<img", "<script", "alert(1)", "<table", "style=", "onclick",
                 'class="lead"', "javascript:", 'rel="me"'):
        assert gone not in out, gone
    assert "Titel" in out and "Zelle" in out  # the text of a dropped tag stays


def test_an_article_shows_only_name_summary_and_link():
    doc = {"type": "Article", "name": "Lotsen <im> Büro", "summary": "<p>Kurz.</p>",
           "content": "<p>Der lange Text</p>", "url": "https://x.example/praxis/1"}
    out = mastodon_status_html(doc)
    assert "Lotsen &lt;im&gt; Büro" in out and "<p>Kurz.</p>" in out
    assert 'href="https://x.example/praxis/1"' in out
    assert "Der lange Text" not in out
    note = {"type": "Note", "content": "<p>Der Text</p>", "summary": "CW"}
    assert mastodon_status_html(note) == "<p>Der Text</p>"
