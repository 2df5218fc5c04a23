"""Config: defaults, every setting's type check, and errors that name the key and line."""

import resource
import subprocess
import sys
import time

import pytest

from site_builder.core.config import Config, load_config, parse_config, parse_config_text
from site_builder.core.errors import SourceError


def test_defaults_build_without_a_config_file(tmp_path):
    config = load_config(tmp_path)
    assert config == Config()
    assert config.base_path == "/"


def test_sub_path_base_url():
    config = parse_config({"base_url": "https://user.github.io/repo"})
    assert config.base_path == "/repo/"
    assert config.site_url == "https://user.github.io/repo/"


def test_unknown_key_is_named_with_its_line():
    with pytest.raises(SourceError) as info:
        parse_config_text("title: T\ntitel: typo\n", "sitegen.yaml")
    assert str(info.value).startswith("sitegen.yaml:2: unknown setting 'titel'")


@pytest.mark.parametrize("text, message", [
    ("page_size: ten\n", "'page_size' must be a whole number"),
    ("page_size: true\n", "'page_size' must be a whole number"),
    ("title: [a, b]\n", "'title' must be a string"),
    ("search: maybe\n", "'search' must be true or false"),
    ("sort: sideways\n", "sort must be 'newest' or 'oldest'"),
    ("page_size: 0\n", "page_size must be at least 1"),
    ("timezone: Mars/Olympus\n", "unknown time zone"),
    ("base_url: example.org\n", "is not an absolute http(s) URL"),
    ("permalink: /{year}/{title}/\n", "must contain {slug}"),
    ("permalink: /../{slug}/\n", "(no '..' or '%')"),
    ("output_dir: ../elsewhere\n", "output_dir must be a folder inside the site"),
    ("tag_aliases: [a]\n", "'tag_aliases' must be a mapping"),
    ("sources: [tass.com]\n", "'sources' must be a mapping of host name to source name"),
    ("sources: {mid.ru: [a]}\n", "'sources' must be a mapping of host name to source name"),
    ("sources: {mid.ru: ' '}\n", "'sources' must be a mapping of host name to source name"),
])
def test_wrong_values_are_errors_that_say_what_is_expected(text, message):
    with pytest.raises(SourceError) as info:
        parse_config_text("title: T\n" + text, "sitegen.yaml")
    assert str(info.value).startswith("sitegen.yaml:2: ")
    assert message in str(info.value)


def test_invalid_yaml_names_the_line():
    with pytest.raises(SourceError) as info:
        parse_config_text("title: T\nbase_url: [\n", "sitegen.yaml")
    assert str(info.value).startswith("sitegen.yaml:3: invalid YAML")


def test_not_a_mapping():
    with pytest.raises(SourceError, match="must be a mapping"):
        parse_config_text("- a\n- b\n")


def test_source_hosts_are_lowercase_without_www_and_survive_overrides(tmp_path):
    (tmp_path / "sitegen.yaml").write_text("sources:\n  WWW.Mid.RU.: ' Russian Foreign Ministry '\n",
                                           encoding="utf-8")
    assert dict(load_config(tmp_path).sources) == {"mid.ru": "Russian Foreign Ministry"}
    overridden = load_config(tmp_path, {"base_url": "https://example.org/"})
    assert dict(overridden.sources) == {"mid.ru": "Russian Foreign Ministry"}


def test_tag_aliases_are_case_folded(tmp_path):
    (tmp_path / "sitegen.yaml").write_text(
        "tag_aliases:\n  Russian-Chinese Alliance: russia-china relations\n", encoding="utf-8")
    config = load_config(tmp_path)
    assert dict(config.tag_aliases) == {"russian-chinese alliance": "russia-china relations"}


def test_command_line_override_is_checked_too(tmp_path):
    assert load_config(tmp_path, {"base_url": "https://x.org/r/"}).base_path == "/r/"
    with pytest.raises(SourceError, match="base_url"):
        load_config(tmp_path, {"base_url": "nonsense"})


def test_a_config_nested_too_deeply_is_an_error_not_a_crash():
    with pytest.raises(SourceError, match="nested too deeply"):
        parse_config_text("title: " + "[" * 5000 + "]" * 5000 + "\n", "sitegen.yaml")


def alias_bomb(key: str = "title") -> str:
    """Return a "billion laughs" config: nine levels of nine aliases under one setting (9^9)."""
    levels = ["  - &a [" + ", ".join(["lol"] * 9) + "]"]
    for previous, name in zip("abcdefgh", "bcdefghi"):
        levels.append(f"  - &{name} [" + ", ".join([f"*{previous}"] * 9) + "]")
    return f"{key}:\n" + "\n".join(levels) + "\n"


def test_an_alias_bomb_is_refused_before_anything_expands_it():
    text = alias_bomb()
    assert len(text) < 600
    with pytest.raises(SourceError, match=r"^sitegen\.yaml:1: the config uses YAML aliases"):
        parse_config_text(text, "sitegen.yaml")


@pytest.mark.parametrize("command", ["build", "check"])
def test_an_alias_bomb_config_fails_fast_through_the_cli_under_a_memory_limit(tmp_path, command):
    (tmp_path / "sitegen.yaml").write_text(alias_bomb(), encoding="utf-8")

    def limit_memory():
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))

    started = time.monotonic()
    result = subprocess.run([sys.executable, "-m", "site_builder", command, "--site", str(tmp_path)],
                            capture_output=True, text=True, timeout=60, preexec_fn=limit_memory)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert time.monotonic() - started < 20
    assert "sitegen.yaml:1: the config uses YAML aliases" in output
    assert "Traceback" not in output and "MemoryError" not in output
    assert not (tmp_path / "public").exists()


@pytest.mark.parametrize("text", [
    "title: [" + ", ".join(["word"] * 50_000) + "]\n",
    "title: {" + ", ".join(f"k{n}: v" for n in range(20_000)) + "}\n",
    "base_url: " + "a" * 100_000 + "\n",
    "sort: " + "b" * 100_000 + "\n",
    "title: " + "9" * 4000 + "\n",
    "? " + "x" * 100_000 + "\n: 1\n",
])
def test_an_error_message_never_repeats_a_huge_value(text):
    with pytest.raises(SourceError) as info:
        parse_config_text(text, "sitegen.yaml")
    message = str(info.value)
    assert message.startswith("sitegen.yaml:1: ")
    assert len(message.split(" (known settings")[0]) < 200, message[:300]


def test_max_tags_must_be_at_least_one():
    assert Config().max_tags == 30
    assert parse_config_text("max_tags: 5\n").max_tags == 5
    with pytest.raises(SourceError, match=r"^sitegen\.yaml:1: max_tags must be at least 1"):
        parse_config_text("max_tags: 0\n", "sitegen.yaml")
