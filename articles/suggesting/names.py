"""Names in English news text: who and what is mentioned where, and which mentions are the same entity.

A mention is a run of capitalised words ("Mayor Helen Okafor", "Harrow County Sheriff’s Office"); titles and
sentence-opening words are taken off the front ("Helen Okafor", role "mayor"). Entities are kept in text order,
so a later "Okafor", "Ms. Okafor" or "the mayor" finds the full name introduced earlier. Persons are told from
organisations and places by a few telling words (Council, Office, Street, …); that is a heuristic, and it says so.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

import regex

from articles.suggesting.words import (
    FEMALE_ROLES,
    HONORIFICS,
    LEADING,
    MALE_ROLES,
    NAMES_ENDING_LIKE_ROLES,
    ORGANISATION_WORDS,
    PLACE_FIRST_WORDS,
    PLACE_WORDS,
    SPEECH_VERBS,
    TITLES,
)

_TOKEN = (
    r"(?:(?:Mr|Mrs|Ms|Dr|Prof|Sen|Rep|Gov|Gen|Col|Lt|Sgt|Det|Capt|Rev|Supt|Insp|St|Jr|Sr|Co|Inc|Corp|Ltd)\."
    r"|\p{Lu}\.(?=[ \u00a0]\p{Lu})"
    r"|\p{Lu}[\p{L}\p{M}]*+(?:['’\-]\p{L}[\p{L}\p{M}]*+)*+)"
)
_PARTICLE = r"(?:de|da|del|della|di|du|van|von|der|den|ter|la|le|bin|ibn|al|el|dos|das)"
_JOIN = rf"(?:[ \u00a0](?:{_PARTICLE}[ \u00a0])*+|[ \u00a0]&[ \u00a0])"
NAME = regex.compile(rf"(?<![\p{{L}}\p{{M}}\p{{N}}'’\-]){_TOKEN}(?:{_JOIN}{_TOKEN})*+")
# A one-word name nobody introduced counts when described just before it: "eight-year-old Noah", "son Marco".
_DESCRIBING = frozenset(
    """son daughter brother sister wife husband mother father grandson granddaughter grandmother grandfather
    friend neighbor neighbour boy girl""".split()
)
_PIECE = regex.compile(r"[^ \u00a0]+")
_AGE = ("-year-old", "-month-old", "-Year-Old")
_ACRONYM = regex.compile(r"^\p{Lu}{2,}$")
_SENTENCE_STOPS = frozenset('.!?:;"“”\n')
_PREPOSITIONS_BEFORE = frozenset(
    """of at for with by from to in on about against behind than into toward towards under over like via
    including named called as beside besides between among near""".split()
)
_DETERMINER = r"(?:[Tt]he|[Aa]n?|[Hh]is|[Hh]er|[Tt]heir|[Ii]ts|[Oo]ur|[\p{L}\p{M}]+['’]s?)"
_ROLE_WORDS = r"((?:[\p{Ll}\-]+[ \u00a0]+){0,4}?[\p{Ll}\-]+)"
_ROLE_BEFORE = regex.compile(r"\b" + _DETERMINER + r"[ \u00a0]+" + _ROLE_WORDS + r",[ \u00a0]*+$")
_ROLE_AFTER = regex.compile(
    r",[ \u00a0]+"
    + _DETERMINER
    + r"[ \u00a0]+(?:[\p{L}\p{M}]+['’]s[ \u00a0]+)?"
    + _ROLE_WORDS
    + r"(?=[ \u00a0]+(?:at|of|for|who|with|in|on|from|to|and)\b|[,.;])"
)
_PREPOSITIONS = frozenset("for of at with in on from to by".split())


MAX_NAME_WORDS = 8


@dataclass(eq=False)
class Entity:
    """Someone or something named in the text. `name` is the full name as first introduced (a later, longer
    form of the same name replaces a one-word first mention)."""

    name: str
    tokens: tuple[str, ...]
    kind: str  # "person", "organisation" or "place"
    gender: str | None = None


@dataclass(frozen=True)
class Mention:
    start: int  # the name as it stands, without title or possessive ending
    end: int
    entity: Entity
    possessive: bool
    after_preposition: bool
    found_at: int  # where the run of capitalised words began, titles included ("Senator Ruth Alvarez")


def _kind(tokens: list[str]) -> str:
    """Organisation or place by the last word ("… Sheriff’s Office", "Ridge Road"), else a person."""
    last = tokens[-1]
    if last in ORGANISATION_WORDS or "&" in tokens or _ACRONYM.match(last) or "City" in tokens or "County" in tokens:
        return "organisation"
    if (last in PLACE_WORDS or tokens[0] in PLACE_FIRST_WORDS) and len(tokens) > 1:
        return "place"
    return "person"


def _recent(entries: list, looked_at: int = 50) -> list:
    """The latest entries first, at most `looked_at` of them (bounds the work on hostile text)."""
    return entries[: -looked_at - 1 : -1]


def _latest_before(entries: list[tuple[int, Entity]], before: int, looked_at: int = 50) -> list[tuple[int, Entity]]:
    """Of entries in text order, those before `before`, the latest first, at most `looked_at` of them."""
    end = bisect.bisect_left(entries, before, key=lambda entry: entry[0])
    return entries[max(0, end - looked_at) : end][::-1]


def _word_before(text: str, at: int) -> str:
    words = text[max(0, at - 30) : at].split()
    return words[-1] if words else ""


def _described(word: str) -> bool:
    return word.endswith(_AGE) or word.lower() in _DESCRIBING


def _opens_sentence(text: str, at: int) -> bool:
    """Whether a sentence starts at `at` (after a stop or a quotation mark, or at the start of a line)."""
    position = at - 1
    while position >= 0 and text[position] in " \t\u00a0":
        position -= 1
    return position < 0 or text[position] in _SENTENCE_STOPS


def _after_preposition(text: str, at: int) -> bool:
    """Whether the word before `at` (skipping "the") is a preposition: "of Brightline Capital", "by the …"."""
    words = text[max(0, at - 24) : at].split()
    if words and words[-1].lower() == "the":
        words.pop()
    return bool(words) and words[-1].lower() in _PREPOSITIONS_BEFORE


def role_of(phrase: str) -> str:
    """The head word of a role phrase: "chief executive" -> "executive", "spokeswoman for the company" -> …"""
    words = phrase.split()
    for index, word in enumerate(words):
        if word in _PREPOSITIONS and index:
            words = words[:index]
            break
    return words[-1] if words else ""


class Names:
    """Mentions in text order, and the entities they name."""

    def __init__(self, text: str, speech_after: regex.Pattern) -> None:
        self.text = text
        self.mentions: list[Mention] = []
        self.starts: list[int] = []
        self._exact: dict[tuple[str, ...], Entity] = {}
        self._by_last: dict[str, list[Entity]] = {}
        self._by_first: dict[str, list[Entity]] = {}
        self._roles: dict[str, list[tuple[int, Entity]]] = {}
        self._organisations: list[tuple[int, Entity]] = []
        self._speech_after = speech_after

    # -- reading the text

    def scan(self, skip: list[tuple[int, int]]) -> None:
        """Reads every mention outside the spans in `skip` (the quotes: names inside quoted words are not
        the article's own mentions)."""
        text = self.text
        skip_index = 0
        for match in NAME.finditer(text):
            while skip_index < len(skip) and skip[skip_index][1] <= match.start():
                skip_index += 1
            if skip_index < len(skip) and skip[skip_index][0] <= match.start():
                continue
            found = match.group()
            if found in LEADING:
                continue  # the commonest match by far: a capitalised word opening a sentence
            self._read(match.start(), found)
        self.starts = [mention.start for mention in self.mentions]

    def _read(self, at: int, found: str) -> None:
        text = self.text
        pieces = [(at + piece.start(), piece.group()) for piece in _PIECE.finditer(found)]
        if len(pieces) > MAX_NAME_WORDS + 4:
            return  # a run of capitalised words (a headline, a list), not a name
        at_sentence_start = _opens_sentence(text, at)
        gender = None
        role = None
        first = 0
        titles_from = 0
        for first, (_start, word) in enumerate(pieces):
            if word in HONORIFICS:
                gender = HONORIFICS[word]
            elif word in TITLES:
                role = word.rstrip(".").lower()
                continue
            elif not (word in LEADING or word.endswith(_AGE)):
                break
            titles_from = first + 1
        else:
            first = len(pieces)
        if (
            first < len(pieces)
            and first > titles_from
            and _kind([word for _s, word in pieces[first:]]) == "organisation"
        ):
            first, role = titles_from, None  # "Fire Department", "Health Ministry": the title words are the name
        pieces = pieces[first:]
        for inner in range(len(pieces) - 3, 0, -1):
            if pieces[inner][1] in TITLES:  # "Northwind CEO Tom Reyes"
                role = pieces[inner][1].rstrip(".").lower()
                pieces = pieces[inner + 1 :]
                break
        if not pieces or len(pieces) > MAX_NAME_WORDS:
            return
        words = [word for _start, word in pieces]
        if (
            at_sentence_start
            and len(words) >= 3
            and words[0] not in NAMES_ENDING_LIKE_ROLES
            and words[0].endswith(("er", "or", "ist", "ian", "ant", "ent"))
        ):  # "Auctioneer Jim Cavanagh", "Owner Rosa Delgado": a description, not a first name
            role = words[0].lower()
            pieces = pieces[1:]
            words = words[1:]
        start = pieces[0][0]
        end = pieces[-1][0] + len(pieces[-1][1])
        possessive = False
        if words[-1].endswith(("'s", "’s")) and len(words[-1]) > 2:
            possessive = True
            end -= 2
            words[-1] = words[-1][:-2]
        tokens = tuple(word.rstrip(".") if word in {"Jr.", "Sr."} else word for word in words)
        kind = _kind(words)
        entity = self._find(tokens, kind, gender)
        if entity is None:
            if len(tokens) == 1 and not (
                role or gender or self._in_subject_place(start, end) or _described(_word_before(text, at))
            ):
                return
            entity = self._add(tokens, text[start:end], kind)
        elif len(entity.tokens) == 1 and len(tokens) > 1 and kind == entity.kind == "person":
            entity.name, entity.tokens = text[start:end], tokens  # "Okafor" first, "Helen Okafor" later
            self._index(entity)
        if gender and entity.gender is None:
            entity.gender = gender
        if role is None and not possessive:
            role = self._role_near(start, end)
        if role and entity.kind == "person":
            self._add_role(role, start, entity)
        if entity.kind == "organisation":
            self._organisations.append((start, entity))
        self.mentions.append(Mention(start, end, entity, possessive, _after_preposition(text, at), at))

    def _in_subject_place(self, start: int, end: int) -> bool:
        """A one-word name nobody introduced counts when it says or is said: "StrideLog said", "said Cher"."""
        return _word_before(self.text, start) in SPEECH_VERBS or bool(
            self._speech_after.match(self.text, end, min(len(self.text), end + 160))
        )

    def _role_near(self, start: int, end: int) -> str | None:
        """The role in an apposition: "the company's chief executive, Tom Reyes" or "Tom Reyes, the …"."""
        text = self.text
        if text[max(0, start - 2) : start].lstrip()[:1] == ",":
            before = _ROLE_BEFORE.search(text, max(0, start - 80), start)
            if before:
                return role_of(before.group(1))
        if text[end : end + 1] == ",":
            after = _ROLE_AFTER.match(text, end, min(len(text), end + 90))
            if after:
                return role_of(after.group(1))
        return None

    # -- the entity table

    def _find(self, tokens: tuple[str, ...], kind: str, gender: str | None) -> Entity | None:
        exact = self._exact.get(tokens)
        if exact is not None:
            return exact
        if len(tokens) == 1:
            for table in (self._by_last, self._by_first):
                for entity in _recent(table.get(tokens[0], [])):
                    if gender is None or entity.gender in (None, gender):
                        return entity
            return None
        if kind == "person":
            for entity in _recent(self._by_last.get(tokens[-1], [])):
                if entity.kind == "person" and len(entity.tokens) == 1:
                    return entity  # upgraded by the caller
                if entity.tokens[0] == tokens[0]:
                    return entity  # "Margaret Ann Ellison" is "Margaret Ellison"
            return None
        for entity in _recent(self._by_last.get(tokens[-1], [])):
            if entity.kind == "organisation" and entity.tokens[-len(tokens) :] == tokens:
                return entity  # "the Sheriff’s Office" is "Harrow County Sheriff’s Office"
        return None

    def _add(self, tokens: tuple[str, ...], name: str, kind: str) -> Entity:
        entity = Entity(name, tokens, kind)
        self._index(entity)
        return entity

    def _index(self, entity: Entity) -> None:
        self._exact[entity.tokens] = entity
        self._by_last.setdefault(entity.tokens[-1], []).append(entity)
        self._by_first.setdefault(entity.tokens[0], []).append(entity)
        if entity.kind == "organisation":
            for size in range(2, len(entity.tokens)):
                self._exact.setdefault(entity.tokens[-size:], entity)

    def _add_role(self, role: str, at: int, entity: Entity) -> None:
        if entity.gender is None:
            entity.gender = "f" if role in FEMALE_ROLES else "m" if role in MALE_ROLES else None
        self._roles.setdefault(role, []).append((at, entity))

    # -- questions asked while attributing

    def by_role(self, role: str, before: int) -> Entity | None:
        """The entity most recently given this role before `before` ("the mayor", "her son"), or else the
        organisation most recently named with that word in its name ("the university": Northgate University)."""
        for _at, entity in _latest_before(self._roles.get(role, []), before):
            return entity
        word = role.capitalize()
        for _at, entity in _latest_before(self._organisations, before):
            if word in entity.tokens:
                return entity
        return None

    def starting_at(self, position: int) -> Mention | None:
        """The mention whose words (titles included) begin at `position`."""
        for mention in self.between(position, position + 80)[:3]:
            if mention.found_at == position:
                return mention
        return None

    def between(self, start: int, end: int) -> list[Mention]:
        first = bisect.bisect_left(self.starts, start)
        last = bisect.bisect_left(self.starts, end)
        return self.mentions[first:last]

    def nearest(self, entity: Entity, start: int, end: int, reach: int = 3000) -> Mention | None:
        """The mention of `entity` closest before the span start..end (the speaker introduced before the
        words), else the closest after it, within `reach` code points (and 300 mentions each way)."""
        for mention in _recent(self.between(start - reach, start), 300):
            if mention.entity is entity and mention.end <= start:
                return mention
        for mention in self.between(end, end + reach)[:300]:
            if mention.entity is entity:
                return mention
        return None
