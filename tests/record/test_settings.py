"""A learning log's own settings, incidents/_settings.yaml: what is accepted, and every
shape that is refused, with its code and the line and column it points at."""

from __future__ import annotations

import pytest

from nearmiss.record.language import DEFAULT_BLAME
from nearmiss.record.settings import Settings, SettingsError, parse_settings
from nearmiss.record.yamlsource import MAX_BYTES

PATH = "incidents/_settings.yaml"


def problems(text: str) -> list[tuple[str, int, int, str]]:
    with pytest.raises(SettingsError) as caught:
        parse_settings(text.encode(), PATH)
    assert str(caught.value) == f"{PATH}: the settings cannot be used"
    assert all(p.path == PATH and p.is_error for p in caught.value.problems)
    return [(p.code, p.line, p.column, p.field) for p in caught.value.problems]


@pytest.mark.parametrize("text", ["", "# nothing set yet\n", "\ufeff", "{}\n"],
                         ids=["empty", "comment", "bom", "empty-mapping"])
def test_no_settings_means_the_defaults(text: str) -> None:
    assert parse_settings(text.encode(), PATH) == Settings()
    assert Settings() == Settings(MAX_BYTES, (), DEFAULT_BLAME)


def test_every_setting_is_read() -> None:
    settings = parse_settings(
        b"max_file_kb: 64\n"
        b"personal_data:\n  allow: [\"0800 123 4567\", help@example.com]\n"
        b"blame:\n  also: [dropped the ball]\n  except: [Forgot, careless]\n", PATH)
    assert settings.max_file_bytes == 64 * 1024
    assert settings.allow_personal_data == ("0800 123 4567", "help@example.com")
    assert "dropped the ball" == settings.blame_phrases[-1]
    # 'except' matches ignoring case; every other built-in phrase stays, in its order
    assert [p for p in DEFAULT_BLAME if p.lower() not in {"forgot", "careless"}] == \
        list(settings.blame_phrases[:-1])
    assert "forgot to" in settings.blame_phrases


def test_a_quoted_number_of_kilobytes_is_a_number() -> None:
    assert parse_settings(b"max_file_kb: '12'\n", PATH).max_file_bytes == 12 * 1024


@pytest.mark.parametrize(("text", "expected"), [
    ("- max_file_kb\n", [("settings-invalid", 1, 1, "")]),
    ("just a sentence\n", [("settings-invalid", 1, 1, "")]),
    ("max_file_kb: 64\nbogus: 1\n", [("settings-invalid", 2, 1, "")]),
    ("max_file_kb: big\n", [("settings-invalid", 1, 14, "/max_file_kb")]),
    ("max_file_kb: 0\n", [("settings-invalid", 1, 14, "/max_file_kb")]),
    ("max_file_kb: -1\n", [("settings-invalid", 1, 14, "/max_file_kb")]),
    ("max_file_kb: 1.5\n", [("settings-invalid", 1, 14, "/max_file_kb")]),
    ("max_file_kb: [1]\n", [("settings-invalid", 1, 14, "/max_file_kb")]),
    ("personal_data: [a]\n", [("settings-invalid", 1, 16, "/personal_data")]),
    ("personal_data:\n  deny: []\n", [("settings-invalid", 2, 3, "/personal_data")]),
    ("personal_data:\n  allow: x\n", [("settings-invalid", 2, 10, "/personal_data/allow")]),
    ("personal_data:\n  allow: [a, {b: c}]\n",
     [("settings-invalid", 2, 10, "/personal_data/allow")]),
    ("blame: forgot\n", [("settings-invalid", 1, 8, "/blame")]),
    ("blame:\n  also: x\n", [("settings-invalid", 2, 9, "/blame/also")]),
    ("blame:\n  except: {a: b}\n", [("settings-invalid", 2, 11, "/blame/except")]),
    ("blame:\n  also: [a]\n  none: 1\n", [("settings-invalid", 3, 3, "/blame")]),
    # every problem of the file at once
    ("bogus: 1\nmax_file_kb: x\nblame:\n  also: [a]\n  none: 1\n",
     [("settings-invalid", 1, 1, ""), ("settings-invalid", 2, 14, "/max_file_kb"),
      ("settings-invalid", 5, 3, "/blame")]),
    # the file is read as strictly as a record; a '[' never closed is shown where it opens
    ("max_file_kb: [\n", [("yaml-syntax", 1, 14, "")]),
    ("max_file_kb: 1\nmax_file_kb: 2\n", [("duplicate-key", 2, 1, "")]),
    ("blame:\n  also: &a [x]\n  except: *a\n", [("yaml-alias", 3, 11, "")]),
    ("max_file_kb: !!python/object:os.system 1\n", [("yaml-tag", 1, 14, "")]),
], ids=["a-list", "a-sentence", "unknown-setting", "kb-not-a-number", "kb-zero",
        "kb-negative", "kb-fraction", "kb-a-list", "personal-data-not-a-mapping",
        "personal-data-unknown", "allow-not-a-list", "allow-not-texts", "blame-not-a-mapping",
        "also-not-a-list", "except-not-a-list", "blame-unknown", "all-at-once",
        "yaml-syntax", "duplicate-key", "alias", "tag"])
def test_every_invalid_shape_says_where(text: str,
                                        expected: list[tuple[str, int, int, str]]) -> None:
    assert problems(text) == expected


def test_the_messages_say_what_is_expected() -> None:
    with pytest.raises(SettingsError) as caught:
        parse_settings(b"max_fil_kb: 1\nmax_file_kb: x\npersonal_data:\n  allow: y\n", PATH)
    said = [(p.message, p.hint) for p in caught.value.problems]
    assert said == [
        ("unknown setting 'max_fil_kb'", "known: blame, max_file_kb, personal_data"),
        ("max_file_kb must be a whole number", ""),
        ("expected a list of texts", ""),
    ]


def test_a_file_that_is_not_utf8_cannot_be_used() -> None:
    with pytest.raises(SettingsError) as caught:
        parse_settings(b"blame:\n  also: [caf\xe9]\n", PATH)
    assert [(p.code, p.line, p.column) for p in caught.value.problems] == \
        [("file-encoding", 2, 13)]
