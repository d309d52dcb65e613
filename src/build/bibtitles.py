"""Capitals in titles: which words APA sentence case would lower, and which of them are proper
nouns (rules ``unprotected-capitals``, ``sentence-case-capital``, ``title-braced-whole``).

Terms: a *lowered word* is one that pandoc's citeproc (3.9, APA CSL) prints in lower case: in an
entry whose ``langid`` is English or absent, outside braces, a word of letters and apostrophes
(a hyphen splits words) whose first letter is upper case and the others lower case ("Shanghai",
"O'Neil"), unless it starts the title or follows ``:``, ``?``, ``!`` or ``.``. Words with
capitals elsewhere (SCO, NATO, iPhone, McDonald's) are kept by citeproc and never flagged; a
title in another language is printed as typed. (Measured with pandoc 3.9 on small titles; see
tests/unit/test_bibtitles.py.)

A lowered word is a *proper noun* (APA 7 6.14-6.17: it keeps its capital) when the article
lists it (``proper-nouns``), when the title is written in sentence case (its other words are
lower case: the author's capital is deliberate; the cleaner braces it) and the word is not very
common (:data:`SENTENCE_CASE_ZIPF`), or, in a title in title case, when the English lexicon of
``wordfreq`` does not know it as a common word (Zipf frequency below :data:`RARE_ZIPF`) and the
article does not list it under ``common-words``. wordfreq lower-cases every word, so a common
word that the language writes only capitalised (China, Paris, Monday) is told only by
*evidence* (:data:`EVIDENCE`; the cleaner braces it in every English title,
:func:`protect_title`): the bibliography writes it as a proper noun elsewhere (reason
``bibliography``, :func:`bibliography_proper_nouns`: in braces in another English title,
``{China}``, ``{Central Asia}``, or capitalised mid-title in a title written in sentence case,
and nowhere in lower case outside braces), or the article's text writes it capitalised in
mid-sentence (reason ``manuscript``, :func:`manuscript_proper_nouns`), or it is the name of a
country or region (reason ``place``, :func:`place_names`: CLDR's names through Babel). A word
that none of these gives is not found (see docs/conventions.md, "Bibliography rules").
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from build.bibtex import NO_RULES, ArticleRules, _words_re

#: Fields pandoc's citeproc sentence-cases for APA (title-like fields).
TITLE_FIELDS = ("title", "subtitle", "titleaddon", "booktitle", "maintitle", "eventtitle")

#: A word whose Zipf frequency (log10 of uses per billion words) in wordfreq's English lexicon
#: is below this is "not known" as a common word: 2.5 is about one use in 300 million words
#: (de Bruijn 1.6, Mackinder 1.5; world 6.0, theorem 3.4).
RARE_ZIPF = 2.5

#: In a title written in sentence case, a capitalised word rarer than this (Zipf 4.5, about one
#: use in 30 million words: Shanghai 4.0) is taken as a proper noun the author capitalised on
#: purpose; a very common word (New 6.1) may be a leftover of title case and is left alone.
SENTENCE_CASE_ZIPF = 4.5

#: ``langid`` values (BibLaTeX/babel names, BCP 47 tags) of English: pandoc sentence-cases only
#: these and entries without langid.
ENGLISH = frozenset(
    "english american british canadian australian newzealand usenglish ukenglish".split()
)

#: Words of four or more letters that are lower case in titles of either case (not a sign of
#: sentence case).
_FUNCTION_WORDS = frozenset(
    "about above across after against along among around before behind below beneath beside "
    "between beyond during from into like near onto over since than that then their them "
    "these they this those through toward towards under until upon versus were what when "
    "where which while with within without".split()
)
_WORD_RE = re.compile(r"[^\W\d_][^\W\d_'’]*(?:['’][^\W\d_]+)*")
_SENTENCE_END_RE = re.compile(r"[:?!.]\s*$")


def sentence_cased(langid: str) -> bool:
    """True when pandoc's citeproc sentence-cases titles of an entry with this ``langid``
    (empty, an English babel name, or a BCP 47 tag ``en``/``en-*``)."""
    lang = langid.strip().lower()
    return not lang or lang in ENGLISH or lang == "en" or lang.startswith("en-")


@dataclass(frozen=True)
class TitleWord:
    """A lowered word: ``word`` as typed, ``offset`` in the field value, and ``reason``:
    ``listed``, ``bibliography``, ``sentence-case`` or ``unknown`` (see the module docstring);
    ``evidence``: for ``bibliography``, the key of the entry that writes it as a proper noun."""

    word: str
    offset: int
    reason: str
    evidence: str = ""


def _mask(value: str) -> str:
    """``value`` with braces and what they enclose blanked out (same length: offsets hold)."""
    out, depth = [], 0
    for char in value:
        if char == "{":
            depth += 1
        out.append(char if depth == 0 and char != "}" else " ")
        if char == "}":
            depth = max(depth - 1, 0)
    return "".join(out)


def _lowered(value: str) -> list[tuple[str, int]]:
    bare = _mask(value)
    found = []
    for match in _WORD_RE.finditer(bare):
        word = match.group(0)
        before = bare[: match.start()]
        if not before.strip() or _SENTENCE_END_RE.search(before):
            continue
        letters = [c for c in word if c.isalpha()]
        if len(letters) < 2 or not letters[0].isupper() or any(c.isupper() for c in letters[1:]):
            continue
        found.append((word, match.start()))
    return found


def is_sentence_case(value: str) -> bool:
    """True when a title outside braces has more lower-case words of four or more letters
    (function words aside) than lowered words: the author wrote it in sentence case."""
    bare = _mask(value)
    lower = [
        w
        for w in _WORD_RE.findall(bare)
        if len(w) >= 4 and w.islower() and w.lower() not in _FUNCTION_WORDS
    ]
    return len(lower) > len(_lowered(value))


@functools.cache
def _zipf(word: str) -> float:
    """Zipf frequency of ``word`` (lower case) or of its singular, the more common of the two
    (wordfreq counts forms apart: amnesties 2.3, amnesty 3.2)."""
    from wordfreq import zipf_frequency

    forms = [word]
    if word.endswith("ies"):
        forms.append(word[:-3] + "y")
    if word.endswith("es"):
        forms.append(word[:-2])
    if word.endswith("s"):
        forms.append(word[:-1])
    return max(zipf_frequency(form, "en") for form in forms)


#: A brace group that reads as a proper noun's words: capitalised words ("{China}", "{Central
#: Asia}", "{Kipling}'s"); acronyms ("{SCO}"), which citeproc keeps anyway, and groups with
#: commands or nested braces are no evidence.
_BRACED_NAME_RE = re.compile(r"\{((?:[^\W\d_][^\W\d_'’]*(?:-[^\W\d_]+)*)(?:\s+[^\W\d_]+)*)\}")


def _stem(word: str) -> str:
    """``word`` without a possessive ending ("China's" -> "China", "Gates'" -> "Gates")."""
    parts = re.split(r"['’]", word)
    return parts[0] if len(parts) > 1 and parts[-1].lower() in ("s", "") else word


def _capitalised(word: str) -> bool:
    letters = [c for c in word if c.isalpha()]
    return len(letters) >= 2 and letters[0].isupper() and not any(c.isupper() for c in letters[1:])


@dataclass(frozen=True)
class KnownNouns:
    """The proper nouns a bibliography writes as such (:func:`bibliography_proper_nouns`):
    ``phrases`` maps each to the keys of the entries that write it, in file order;
    ``by_first_word`` lists them by their first word, the longest first."""

    phrases: Mapping[str, tuple[str, ...]]
    by_first_word: Mapping[str, tuple[str, ...]]
    #: the reason of the words found (:class:`TitleWord`): ``bibliography`` (evidence: entry
    #: keys) or ``manuscript`` (evidence: ``path:line`` of a section file)
    reason: str = "bibliography"

    def in_title(self, value: str, key: str = "") -> list[TitleWord]:
        """The phrases that stand outside braces in ``value`` (a title of entry ``key``) as
        whole words (a possessive's stem counts: "China" in "China's"), with at least one
        lowered word among them: reason :attr:`reason`, the first evidence that is not the
        entry itself as evidence (an entry is no evidence for itself)."""
        bare = _mask(value)
        lowered = {offset for _word, offset in _lowered(value)}
        out = []
        for match in _WORD_RE.finditer(bare):
            start = match.start()
            word = match.group(0)
            candidates = self.by_first_word.get(word, ()) or self.by_first_word.get(_stem(word), ())
            for phrase in candidates:
                end = start + len(phrase)
                if bare[start:end] != phrase or re.match(r"[\w-]", bare[end : end + 1]):
                    continue
                others = [k for k in self.phrases[phrase] if k != key]
                if others and any(start <= offset < end for offset in lowered):
                    out.append(TitleWord(phrase, start, self.reason, others[0]))
                    break
        return out


def bibliography_proper_nouns(titles: Iterable[tuple[str, str, str]]) -> KnownNouns:
    """The proper nouns a bibliography itself writes as such in its English titles.

    Args:
        titles: (entry key, langid, field value) of the title-like fields of every entry.
    Returns:
        :class:`KnownNouns`: each brace group of capitalised words (``{China}``, ``{Central
        Asia}``; not an acronym such as ``{SCO}``, not a title braced whole) and each
        capitalised mid-title word of a title in sentence case (:func:`is_sentence_case`),
        with the keys of the entries that write it; a single word that some English
        title writes in lower case outside braces mid-title ("china" in "Porcelain and fine
        china") is left out: the evidence disagrees.
    """
    found: dict[str, list[str]] = {}
    lower: set[str] = set()
    for key, langid, value in titles:
        if not sentence_cased(langid) or braced_whole(value):
            continue
        for match in _BRACED_NAME_RE.finditer(value):
            phrase = " ".join(match.group(1).split())
            if all(_capitalised(word) for word in phrase.split()):
                found.setdefault(phrase, []).append(key)
        if is_sentence_case(value):
            for word, _offset in _lowered(value):
                found.setdefault(word, []).append(key)
        for match in _WORD_RE.finditer(_mask(value)):
            if match.start() and match.group(0).islower():
                lower.add(match.group(0))
    return _known_nouns(found, lower, "bibliography")


def _known_nouns(found: Mapping[str, list[str]], lower: set[str], reason: str) -> KnownNouns:
    """:class:`KnownNouns` of ``found`` (phrase -> evidence), a single word that ``lower``
    holds in lower case left out (the evidence disagrees)."""
    phrases = {
        phrase: tuple(dict.fromkeys(keys))
        for phrase, keys in found.items()
        if not (" " not in phrase and phrase.lower() in lower)
    }
    by_first: dict[str, list[str]] = {}
    for phrase in sorted(phrases, key=len, reverse=True):
        by_first.setdefault(phrase.split()[0], []).append(phrase)
    return KnownNouns(phrases, {w: tuple(p) for w, p in by_first.items()}, reason)


NO_KNOWN_NOUNS = KnownNouns({}, {})


@functools.cache
def place_names() -> KnownNouns:
    """The English names of countries and regions (CLDR's territory names, through Babel:
    "Ghana", "Africa", "Western Africa", "Central Asia", "United States"): geographic names are
    proper nouns in any title (APA 7 6.14), whatever their frequency in wordfreq ("ghana" is a
    common word there). Reason ``place``, evidence ``CLDR``; names with a word that is not
    capitalised ("Côte d’Ivoire", "St. Kitts & Nevis") are left out."""
    from babel import Locale

    names = {" ".join(n.split()) for n in Locale("en").territories.values()}
    found = {n: ["CLDR"] for n in names if all(_capitalised(w) for w in n.split())}
    return _known_nouns(found, set(), "place")


#: Languages (ISO 639 codes, babel names) that capitalise every noun (German: Duden, Amtliche
#: Regelung section 55): a capital in mid-sentence is no sign of a proper noun there.
NOUN_CAPITALISING = frozenset(
    "de lb gsw german ngerman austrian naustrian swissgerman nswissgerman luxembourgish".split()
)
#: Inlines whose words are no evidence: emphasis (titles of works are set in italics, in title
#: case), quotations (a quoted sentence starts with a capital), citations, code, math, raw.
_NO_EVIDENCE = frozenset(
    "Emph Strong Underline Strikeout Superscript Subscript SmallCaps Quoted Cite Code Math "
    "RawInline Image".split()
)
_SENTENCE_START_RE = re.compile(r"(?:^|[.?!:…][\"'”’)\]]*)\s*$")
#: Characters right before a word that make its capital no evidence (an opening bracket or
#: quotation mark may start a sentence; \0 stands for an inline of :data:`_NO_EVIDENCE`).
_OPENING = "([{“‘\"'\0"


def _inline_lines(inlines: list, lines: list[str], notes: list) -> None:
    """Append the text of ``inlines`` to ``lines``, a new line at each line break (the
    manuscript is one sentence per line), each inline of :data:`_NO_EVIDENCE` as \0;
    footnotes' blocks go to ``notes``."""
    for item in inlines:
        kind, content = item["t"], item.get("c")
        if kind == "Str":
            lines[-1] += content
        elif kind == "Space":
            lines[-1] += " "
        elif kind in ("SoftBreak", "LineBreak"):
            lines.append("")
        elif kind in ("Link", "Span"):
            _inline_lines(content[1], lines, notes)
        elif kind == "Note":
            notes.append(content)
        else:
            lines[-1] += "\0"


#: Text in curly quotation marks typed as such (pandoc's smart extension makes Quoted only of
#: straight ones); an apostrophe followed by a letter ("China’s") is inside.
_CURLY_QUOTED_RE = re.compile(r"“[^“”]*”|‘[^‘’]*(?:’\w[^‘’]*)*’")


def prose_lines(blocks: list) -> list[str]:
    """The lines of running text of pandoc AST ``blocks`` (pandoc's JSON): each line of a
    paragraph, list item, block quote, div or footnote. Headings (in title case), tables,
    figures, code and raw blocks are left out; so is the text of :data:`_NO_EVIDENCE` and of
    curly quotation marks (each replaced by \0)."""
    out: list[str] = []
    for block in blocks:
        kind, content = block["t"], block.get("c")
        if kind in ("Para", "Plain"):
            lines, notes = [""], []
            _inline_lines(content, lines, notes)
            out.extend(_CURLY_QUOTED_RE.sub("\0", line) for line in lines)
            for note in notes:
                out.extend(prose_lines(note))
        elif kind == "LineBlock":
            out.extend(prose_lines([{"t": "Plain", "c": line} for line in content]))
        elif kind == "BlockQuote":
            out.extend(prose_lines(content))
        elif kind in ("BulletList", "OrderedList"):
            for item in content if kind == "BulletList" else content[1]:
                out.extend(prose_lines(item))
        elif kind == "DefinitionList":
            for _term, definitions in content:
                for definition in definitions:
                    out.extend(prose_lines(definition))
        elif kind == "Div":
            out.extend(prose_lines(content[1]))
    return out


def _line_phrases(line: str) -> list[str]:
    """The proper nouns one prose line writes as such: each run of capitalised words
    (:func:`_capitalised`) one space apart, its first word left out when it starts the line
    or a sentence, or follows an opening bracket or quotation mark; possessives as their
    stem."""
    phrases: list[str] = []
    run: list[str] = []
    first_is_evidence, end = True, -1

    def flush() -> None:
        words = run if first_is_evidence else run[1:]
        if words:
            phrases.append(" ".join([*words[:-1], _stem(words[-1])]))

    for match in _WORD_RE.finditer(line):
        word, before = match.group(0), line[: match.start()]
        joined = bool(run) and line[end : match.start()] == " " and _stem(run[-1]) == run[-1]
        if _capitalised(word) and joined:
            run.append(word)
        else:
            flush()
            run = [word] if _capitalised(word) else []
            first_is_evidence = not (_SENTENCE_START_RE.search(before) or before[-1:] in _OPENING)
        end = match.end()
    flush()
    return phrases


def manuscript_proper_nouns(
    sections: Iterable[tuple[str, list[str], list]], lang: str = "en"
) -> KnownNouns:
    """The proper nouns an article's text writes as such: words capitalised in mid-sentence.

    Args:
        sections: (path, source lines, pandoc AST blocks) of each section file.
        lang: the manuscript's language (BCP 47, ``metadata.yaml`` ``lang``); in a language
            of :data:`NOUN_CAPITALISING` the text is no evidence (no phrases).
    Returns:
        :class:`KnownNouns` of reason ``manuscript``: each run of capitalised words in running
        text (:func:`prose_lines`; not at the start of a line, which is a sentence's start in
        a manuscript of one sentence per line, nor after a sentence end or an opening
        bracket or quotation mark), with ``path:line`` of its first such use as evidence
        (``path`` alone when the line is not found); a word or phrase that the text also
        writes in lower case ("the Organization" and "an organization", "Soft Balancing"
        and "soft balancing") is left out: the evidence disagrees.
    """
    primary = lang.strip().lower().replace("_", "-").split("-")[0]
    if primary in NOUN_CAPITALISING or lang.strip().lower() in NOUN_CAPITALISING:
        return KnownNouns({}, {}, "manuscript")
    found: dict[str, list[str]] = {}
    prose: list[str] = []
    for path, source, blocks in sections:
        lines = prose_lines(blocks)
        prose.extend(lines)
        for line in lines:
            for phrase in _line_phrases(line):
                if phrase not in found:
                    found[phrase] = [f"{path}:{_line_of(phrase, source)}".rstrip(":")]
    text = "\n".join(prose)
    agreed = {
        phrase: where
        for phrase, where in found.items()
        if not re.search(r"(?<![\w'’-])" + re.escape(phrase.lower()) + r"(?![\w-])", text)
    }
    return _known_nouns(agreed, set(), "manuscript")


def _line_of(phrase: str, source: list[str]) -> str:
    """The number (from 1) of the first line of ``source`` that has ``phrase`` as whole words
    after its first word, headings and table rows aside, as a string; '' when none has."""
    for number, text in enumerate(source, 1):
        start = -1 if text.lstrip().startswith(("#", "|")) else text.find(phrase)
        while start != -1:
            end = start + len(phrase)
            if (
                text[:start].strip()
                and not text[start - 1].isalnum()
                and not text[end : end + 1].isalnum()
            ):
                return str(number)
            start = text.find(phrase, start + 1)
    return ""


def proper_nouns(
    value: str,
    langid: str,
    rules: ArticleRules,
    known: KnownNouns = NO_KNOWN_NOUNS,
    key: str = "",
    manuscript: KnownNouns = NO_KNOWN_NOUNS,
) -> list[TitleWord]:
    """The proper nouns of a title-like field value that sentence case would lower.

    Args:
        value: the field value (braces kept: braced words are protected).
        langid: the entry's ``langid`` ('' if none); other languages give ``[]``.
        rules: the article's ``proper-nouns`` and ``common-words``.
        known: the bibliography's own proper nouns (:func:`bibliography_proper_nouns`);
        key: the entry's key (its own titles are no evidence for it);
        manuscript: the proper nouns the article's text writes as such
            (:func:`manuscript_proper_nouns`).
    Returns:
        the words in order, each once, with the reason (:class:`TitleWord`). Whether the
        title is in sentence case is judged with the evidenced words (``bibliography``,
        ``manuscript``) braced, as the cleaned copy writes it (:func:`protect_title`).
    """
    if not sentence_cased(langid):
        return []
    out: dict[str, TitleWord] = {}
    listed = _words_re(rules.proper_nouns, "title")
    if listed:
        for match in listed.finditer(_mask(value)):
            out.setdefault(match.group(1), TitleWord(match.group(1), match.start(), "listed"))
    common = {w.casefold() for w in rules.common_words}
    found = [*known.in_title(value, key), *manuscript.in_title(value, key)]
    for word in [*found, *place_names().in_title(value, key)]:
        if word.word.casefold() in common or any(word.word in k or k in word.word for k in out):
            continue
        out.setdefault(word.word, word)
    evidenced = [w for w in out.values() if w.reason in EVIDENCE]
    sentence = is_sentence_case(_brace(value, evidenced))
    for word, offset in _lowered(value):
        if word in out or any(word in key.split() for key in out):
            continue
        stem = _stem(word)
        if stem.casefold() in common:
            continue
        if sentence and _zipf(stem.lower()) < SENTENCE_CASE_ZIPF:
            out[word] = TitleWord(word, offset, "sentence-case")
        elif _zipf(stem.lower()) < RARE_ZIPF:
            out[word] = TitleWord(word, offset, "unknown")
    return sorted(out.values(), key=lambda w: w.offset)


#: Reasons of words that another text of the article writes as proper nouns: the cleaned copy
#: braces them in every English title (:func:`protect_title`).
EVIDENCE = frozenset({"bibliography", "manuscript", "place"})


def _brace(value: str, words: Iterable[TitleWord]) -> str:
    """``value`` with each of ``words`` (at its offset) put in braces."""
    out, last = [], 0
    for word in sorted(words, key=lambda w: w.offset):
        out.append(value[last : word.offset] + "{" + word.word + "}")
        last = word.offset + len(word.word)
    return "".join(out) + value[last:]


def braced_whole(value: str) -> bool:
    """True when a title is one brace group with a space inside (``{{The Whole Title}}``):
    citeproc then prints it exactly as typed, in title case, against APA 7 6.17."""
    text = value.strip()
    if len(text) < 2 or text[0] != "{" or text[-1] != "}" or " " not in text:
        return False
    depth = 0
    for index, char in enumerate(text):
        depth += (char == "{") - (char == "}")
        if depth == 0 and index != len(text) - 1:
            return False
    return True


def protect_title(
    value: str,
    langid: str,
    rules: ArticleRules = NO_RULES,
    known: KnownNouns = NO_KNOWN_NOUNS,
    key: str = "",
    manuscript: KnownNouns = NO_KNOWN_NOUNS,
) -> str:
    """``value`` as the cleaned copy writes it: in an English title, each word or phrase that
    the bibliography or the manuscript writes as a proper noun (reasons ``bibliography``,
    ``manuscript``) and, in a title written in sentence case, each proper noun of reason
    ``sentence-case`` (the author's capital is deliberate) put in braces, so that pandoc's
    citeproc keeps its capital (APA 7 6.14-6.17). Arguments as :func:`proper_nouns`; other
    titles come back unchanged."""
    chosen = [
        w
        for w in proper_nouns(value, langid, rules, known, key, manuscript)
        if w.reason in EVIDENCE or w.reason == "sentence-case"
    ]
    return _brace(value, chosen) if chosen else value
