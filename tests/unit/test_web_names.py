"""One validation of URLs and domain names (issue 17 §3): the rules, and that every URL field of
every model we store goes through them."""

from __future__ import annotations

import pytest
from pydantic import AfterValidator, ValidationError

from mitwirken.federation.fetch import FetchError
from mitwirken.federation.remote import host, parse_actor
from mitwirken.models.actors import LocalActor
from mitwirken.models.fields import WebUrl
from mitwirken.models.opportunity import Opportunity
from mitwirken.models.practice import Practice
from mitwirken.models.web_names import WebNameError, check_web_url, normalise_domain
from mitwirken.server.config import Settings
from mitwirken.server.usecases.instance import make_actor
from tests.unit.test_field_rules import _annotated_metadata, _models

GOOD_URLS = ["https://tafel.example/mitmachen?x=1#a", "http://127.0.0.1:8080/",
             "https://[2001:db8::1]/x", "https://bücher.example/", "HTTPS://A.EXAMPLE/"]
BAD_URLS = ["javascript:alert(1)", "JAVASCRIPT://a.example/%0aalert(1)", "data:text/html,x",
            "ftp://a.example/", "https://a.example/\x00x", "https://a.example/\x7f",
            "https://a.example/a b", "https://a.example/\tx", "https://a.example/\u202ex",
            "https://a.example/\u200bx", "https://a.example/\ud800", "https://a_b.example/",
            "https://-a.example/", "https://a..example/", "https://u:pw@a.example/",
            "https://a.example:99999/", "https://a.example:0/", "https:///x", "//a.example/",
            "https:\\\\a.example\\x", "https://" + "a" * 64 + ".example/",
            "https://a.example/" + "x" * 2000]


@pytest.mark.parametrize("url", GOOD_URLS)
def test_good_urls_pass_unchanged(url):
    assert check_web_url(f"  {url} ") == url


@pytest.mark.parametrize("url", BAD_URLS)
def test_bad_urls_are_refused_in_german(url):
    with pytest.raises(WebNameError, match="vollständige Web-Adresse"):
        check_web_url(url)


@pytest.mark.parametrize(("given", "stored"), [
    ("Spam.Example.", "spam.example"), (" spam.example ", "spam.example"),
    ("BÜCHER.example", "xn--bcher-kva.example"), ("xn--bcher-kva.example", "xn--bcher-kva.example"),
    ("192.0.2.1", "192.0.2.1"), ("2001:DB8::1", "2001:db8::1"), ("[2001:db8::1]", "2001:db8::1"),
])
def test_domains_get_one_canonical_form(given, stored):
    assert normalise_domain(given) == stored


@pytest.mark.parametrize("name", ["export", "localhost", "", ".", "https://spam.example",
                                  "spam.example:443", "spam.example/x", "a b.example",
                                  "spam\x00.example", "_x.example", "user@spam.example",
                                  "-spam.example", "sp*m.example"])
def test_non_domains_are_refused_in_german(name):
    with pytest.raises(WebNameError, match="Domainname|Rechnername"):
        normalise_domain(name)


def _url_fields(model: type) -> list[str]:
    return [f"{model.__name__}.{name}" for name in model.model_fields
            if name.endswith(("url", "_iri")) or name == "website"]


def _validated_as_web_url(model: type, name: str) -> bool:
    info = model.model_fields[name]
    wanted = _annotated_metadata(WebUrl)[0]
    metadata = [*info.metadata, *_annotated_metadata(info.annotation)]
    return any(isinstance(m, AfterValidator) and m.func is wanted.func for m in metadata)


def test_every_url_field_of_every_stored_model_is_a_web_url():
    models = _models(Opportunity) | _models(Practice) | {LocalActor}
    fields = [(m, f.split(".", 1)[1]) for m in models for f in _url_fields(m)]
    assert len(fields) >= 5  # apply_url, contact and image URLs, website, icon_url, …
    assert [f"{m.__name__}.{n}" for m, n in fields if not _validated_as_web_url(m, n)] == []


def test_an_actor_with_a_javascript_website_is_refused():
    with pytest.raises(ValidationError) as info:
        make_actor("verein", "org", "Verein", sector="business", website="javascript:alert(1)")
    assert info.value.errors()[0]["loc"] == ("website",)


def _actor_doc(**changes: object) -> dict:
    doc = {"id": "https://a.example/users/x", "type": "Person",
           "inbox": "https://a.example/users/x/inbox",
           "endpoints": {"sharedInbox": "https://a.example/inbox"}}
    return {**doc, **changes}


def test_remote_actor_documents_with_malformed_urls_are_refused():
    assert parse_actor(_actor_doc()).shared_inbox == "https://a.example/inbox"
    for bad in ({"id": "https://a.example/users/\x00x"},
                {"inbox": "https://a.example/users/x/in\x7fbox"},
                {"inbox": "https://a.example/users/x/in box"}):
        with pytest.raises(FetchError):
            parse_actor(_actor_doc(**bad))
    shared = parse_actor(_actor_doc(endpoints={"sharedInbox": "https://a.example/in\x00"}))
    assert shared.shared_inbox is None


def test_a_malformed_remote_id_has_no_host_and_fails_every_same_host_check():
    assert host("https://A.Example./users/x") == "a.example"
    for bad in ("https://a.example/\x00x", "https://a.example/a b", "javascript://a.example/",
                "https://a_b.example/x"):
        assert host(bad) == "", bad


@pytest.mark.parametrize("url", ["https://x.example/\x00", "https://x .example",
                                 "javascript://x.example", "https://x.example/pfad"])
def test_the_instance_url_follows_the_same_rule(tmp_path, url):
    with pytest.raises(ValidationError):
        Settings(data_dir=tmp_path, base_url=url, instance_name="X", city_username="x")
    assert Settings(data_dir=tmp_path, base_url="https://X.example/", instance_name="X",
                    city_username="x").base_url == "https://X.example"
