"""Normalised text and its bigrams, as the search index and the filters compare them."""

from __future__ import annotations

from positions.text import bigrams, normalise


def test_normalise_folds_full_width_letters_digits_and_the_ideographic_space():
    assert normalise("ＺＹＧＷ　销售１２３Ａbc") == "zygw 销售123abc"


def test_normalise_keeps_the_length_where_lower_case_would_change_it():
    # İ lowers to two characters and a final Σ to ς by context: one by one, one for one.
    for text in ("İstanbul 销售", "ΟΔΟΣ 经理", "ΣΑΣ"):
        assert len(normalise(text)) == len(text)
    assert normalise("ΟΔΟΣ") == "οδοσ"
    assert normalise("İ") == "İ"


def test_bigrams_never_span_whitespace_of_any_kind():
    assert bigrams(normalise("销售经理 置业　顾问\n专员")) == {
        "销售",
        "售经",
        "经理",
        "置业",
        "顾问",
        "专员",
    }
    assert bigrams("a") == set() and bigrams("") == set()
