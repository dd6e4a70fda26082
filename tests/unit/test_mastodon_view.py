"""The preview's model of Mastodon's sanitiser keeps what Mastodon keeps and drops the rest."""

from __future__ import annotations

from mitwirken.federation.mastodon_view import mastodon_sanitise


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
