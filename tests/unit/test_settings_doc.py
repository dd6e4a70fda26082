"""The README's settings table lists exactly the settings that exist, and they work."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mitwirken.server.config import ConfigError, env_name, load_settings, setting_names
from mitwirken.server.config import write_settings_file as write

README = Path(__file__).resolve().parents[2] / "README.md"


def documented() -> dict[str, str]:
    text = README.read_text("utf-8")
    table = text.split("<!-- settings-table: start -->")[1].split("<!-- settings-table: end -->")[0]
    rows = re.findall(r"^\| `(\w+)` \| `(\w+)` \|", table, re.M)
    return dict(rows)


def test_every_setting_is_documented_with_its_variable():
    docs = documented()
    assert sorted(docs) == sorted(setting_names())
    for name, var in docs.items():
        assert var == env_name(name)


def test_toml_then_environment_override(tmp_path):
    write(tmp_path, {"base_url": "https://a.example", "instance_name": "A",
                     "city_username": "a", "port": 9000})
    assert load_settings(tmp_path, env={}).port == 9000
    s = load_settings(tmp_path, env={"MITWIRKEN_PORT": "9100",
                                     "MITWIRKEN_ALLOW_PRIVATE_NETWORK": "1",
                                     "MITWIRKEN_TRUSTED_PROXIES": "127.0.0.1, ::1"})
    assert s.port == 9100
    assert s.allow_private_network is True
    assert s.trusted_proxies == ["127.0.0.1", "::1"]
    assert s.domain == "a.example"


def test_readme_example_toml_is_valid(tmp_path):
    text = README.read_text("utf-8")
    example = text.split("Example `mitwirken.toml`:")[1].split("```toml")[1].split("```")[0]
    (tmp_path / "mitwirken.toml").write_text(example)
    s = load_settings(tmp_path, env={})
    assert s.base_url == "https://engagiert.musterstadt.de"
    assert s.trusted_proxies == ["127.0.0.1"]


@pytest.mark.parametrize("bad", [{"base_url": "ftp://x"}, {"base_url": "https://x/path"},
                                 {"port": "many"}, {"unknown_setting": 1}])
def test_invalid_settings_give_clear_error(tmp_path, bad):
    write(tmp_path, {"base_url": "https://a.example", "instance_name": "A",
                     "city_username": "a", **bad})
    with pytest.raises(ConfigError) as err:
        load_settings(tmp_path, env={})
    assert "invalid settings" in str(err.value)
