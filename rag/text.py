"""Small word-level helpers shared by the extractive backend and the judges."""

from __future__ import annotations

import re

_WORD = re.compile(r"[a-z0-9$%]+(?:['’][a-z]+)?")
_STOPWORDS_TEXT = """
a an the and or but if of to in on at by for with from as is are was were be been being do does did done has have
had having it its this that these those there their they them he she his her him we our you your i me my not no so
than then too very can could would should will shall may might must about into over under after before during what
which who whom whose when where why how much many any some all each other such only own same just also said says
say according one two per
"""
STOPWORDS = frozenset(_STOPWORDS_TEXT.split())


def words(text: str) -> list[str]:
    """Lower-cased word tokens (keeps $ and %, and contractions such as "don't")."""
    return _WORD.findall(text.lower())


def content_words(text: str) -> set[str]:
    """The words of ``text`` that carry meaning: no stopwords, no single letters."""
    return {w for w in words(text) if w not in STOPWORDS and len(w) > 1}
