"""Words are counted as publishers count them, in every script."""

from __future__ import annotations

from archiver.words import cjk_characters, count_words


def test_spaced_scripts_count_by_spaces():
    text = "The harbour  storm\tbroke\nthe pier — twice, in 2026. Гроза сломала пирс."
    assert count_words(text) == len(text.split()) == 13
    assert cjk_characters(text) == 0


def test_each_chinese_or_japanese_character_is_a_word():
    assert count_words("市議会は可決した。") == 9  # 8 characters and the full stop
    assert count_words("新型iPhoneを発売 2026年") == 8  # 6 characters, "iPhone", "2026"
    assert cjk_characters("新型iPhoneを発売 2026年") == 6


def test_korean_is_written_with_spaces_and_counted_by_them():
    assert count_words("시의회는 항구 재건 계획을 가결했다.") == 5
