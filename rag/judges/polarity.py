"""Polarity and strength of what a sentence asserts: negation, opposite words, quantifiers and modals.

Hand-written lexicons: no antonym resource (WordNet data) or NLI model installs offline here, and these
short lists cover the flips that matter in news ("accepted" vs "refused", "will" vs "may").
"""

from __future__ import annotations

from typing import Any

_NEGATORS = {"not", "n't", "never", "no", "nor", "neither", "none", "nothing", "nobody", "cannot"}
NEGATOR_WORDS = _NEGATORS
# Verbs that negate what they govern: "ruled out sending troops" ~ "will not send troops".
NEGATIVE_VERBS = {"refuse", "reject", "deny", "exclude", "oppose", "decline", "avoid", "prevent", "fail", "halt",
                  "stop", "cease", "quit", "block", "veto", "rule", "refrain", "hesitate"}
_PAIRS = """
accept reject; accept refuse; agree refuse; agree disagree; agree reject; approve reject; approve veto;
allow ban; allow forbid; allow prohibit; permit ban; confirm deny; admit deny; support oppose; back oppose;
favor oppose; endorse reject; include exclude; increase decrease; increase cut; increase reduce; increase lower;
raise cut; raise lower; boost cut; boost reduce; expand shrink; expand reduce; rise fall; rise drop; grow shrink;
more less; more fewer; higher lower; above below; strengthen weaken; win lose; victory defeat; gain lose;
begin end; start end; start stop; open close; join leave; enter exit; arrive depart; attend skip; attend miss;
present absent; possible impossible; likely unlikely; realistic unrealistic; legal illegal;
success failure; succeed fail; strong weak; large small; big small; long short; early late; before after;
first last; new old; praise criticize; praise condemn; welcome condemn; welcome reject; easy hard;
keep abandon; continue stop; continue halt; continue end; lift impose; add remove; send withdraw;
deploy withdraw; advance retreat; attack defend; ally enemy; friend enemy; peace war; true false; right wrong;
optimistic pessimistic; positive negative; major minor; maximum minimum; majority minority; hardline moderate;
east west; north south; Democrat Republican; democratic republican; buy sell; lend borrow; import export;
sooner later; doubt confident; doubt sure; concur reject; concur disagree; welcome dismiss; accept dismiss;
raise reduce; raise decrease; raise low; increase low; up down; primary secondary;
public private; temporary permanent; full partial; most least
"""
ANTONYMS: dict[str, set[str]] = {}
for _pair in _PAIRS.replace("\n", " ").split(";"):
    _a, _b = (w.lower() for w in _pair.split())
    ANTONYMS.setdefault(_a, set()).add(_b)
    ANTONYMS.setdefault(_b, set()).add(_a)
_PREFIXES = ("un", "in", "im", "il", "ir", "dis", "non")

# Words that claim totality or certainty, in classes: "every" and "all" are the same claim.
_UNIVERSAL_CLASSES = {
    "all": "all every each everyone everybody everything entire whole universally unanimous unanimously consensus",
    "only": "only solely exclusively",
    "always": "always invariably",
    "certain": "certainly definitely guaranteed undoubtedly",
    "complete": "completely totally entirely fully",
}
UNIVERSAL = {w: cls for cls, ws in _UNIVERSAL_CLASSES.items() for w in ws.split()}
_STRONG_MODALS = {"will", "must", "shall", "wo"}  # "wo" is spaCy's token for "won't"
_WEAK_MODALS = {"may", "might", "could", "can", "should"}


def negated_lemmas(doc: Any) -> set[str]:
    """Verbs and adjectives asserted as negated: "would not deploy", "refused to deploy", "stopped deploying"."""
    out = set()
    for t in doc:
        if t.lower_ in _NEGATORS or (t.lower_ == "longer" and any(c.lower_ == "no" for c in t.children)):
            head = t.head if t.head is not t else t
            if head.pos_ in ("VERB", "ADJ", "AUX"):
                out.add(head.lemma_.lower())
            for nxt in t.doc[t.i + 1:t.i + 7]:  # "never been, and will not be, considered"
                if nxt.pos_ in ("VERB", "ADJ"):
                    out.add(nxt.lemma_.lower())
                    break
            if t.dep_ == "det" and head.dep_ in ("nsubj", "nsubjpass"):  # "no troops would be deployed"
                out.add(head.head.lemma_.lower())
            if t.pos_ in ("PRON", "NOUN"):  # "nothing new"
                out.update(c.lemma_.lower() for c in t.children if c.pos_ == "ADJ")
            for child in head.children:  # "will not be deployed", "is not realistic"
                if child.dep_ in ("xcomp", "ccomp", "acomp", "attr") and child.pos_ in ("VERB", "ADJ"):
                    out.add(child.lemma_.lower())
        if t.lemma_.lower() in NEGATIVE_VERBS and t.pos_ == "VERB":
            for child in t.children:  # "refused to deploy", "ruled out deploying", "stopped acting"
                if child.dep_ in ("xcomp", "ccomp", "pcomp", "dobj", "prep") and child.pos_ == "VERB":
                    out.add(child.lemma_.lower())
                for grandchild in child.children if child.dep_ == "prep" else ():
                    if grandchild.dep_ == "pcomp" and grandchild.pos_ == "VERB":
                        out.add(grandchild.lemma_.lower())
    return out - {"be", "have", "do"}


_PHRASAL = {("drive", "up"): "raise", ("push", "up"): "raise", ("drive", "down"): "lower", ("bring", "down"): "lower",
            ("cut", "back"): "cut", ("scale", "back"): "cut", ("pull", "out"): "withdraw", ("step", "up"): "increase",
            ("ramp", "up"): "increase", ("turn", "down"): "reject"}


def lemma(t: Any) -> str:
    """A token's lemma, with phrasal verbs folded to one word ("drive up" -> "raise")."""
    base = t.lemma_.lower()
    for child in t.children:
        if child.dep_ == "prt" and (base, child.lower_) in _PHRASAL:
            return _PHRASAL[(base, child.lower_)]
    return base


def lemmas(doc: Any) -> set[str]:
    return {lemma(t) for t in doc if not t.is_punct} | {t.lemma_.lower() for t in doc if not t.is_punct}


def opposite(word: str, other_lemmas: set[str]) -> str | None:
    """An antonym of ``word`` among ``other_lemmas`` (lexicon or un-/in-/dis- prefix), else None."""
    w = word.lower()
    for cand in ANTONYMS.get(w, ()):
        if cand in other_lemmas:
            return cand
    for p in _PREFIXES:
        if w.startswith(p) and len(w) > len(p) + 3 and w[len(p):] in other_lemmas:
            return w[len(p):]
        if p + w in other_lemmas:
            return p + w
    return None


def modal_strength(doc: Any) -> tuple[bool, bool]:
    """(has a strong modal such as "will"/"must", has a weak one such as "may"/"could")."""
    words = {t.lower_ for t in doc}
    return bool(words & _STRONG_MODALS), bool(words & _WEAK_MODALS)
