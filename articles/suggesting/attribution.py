"""Who said each quote: the attribution around it ("…,” said X", "X said: “…", "X called it “…”"), pronouns
and roles resolved to a name used before ("he said", "the mayor said"), and quotes that carry on the words of
the speaker of the quote before them (a broken quote, a paragraph that only continues the quotation).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

import regex

from articles.suggesting.marks import Quoted
from articles.suggesting.names import Entity, Mention, Names, role_of
from articles.suggesting.sentences import Sentences, ends_a_sentence
from articles.suggesting.words import SPEECH_VERBS

_VERBS = "(?:" + "|".join(sorted(SPEECH_VERBS, key=len, reverse=True)) + ")"
_ADVERB = r"(?:\p{Ll}+ly[ \u00a0]+)?"
VERB = regex.compile(r"\b" + _VERBS + r"\b")
# A name "says" when a speech verb follows it (after an age or a "who …" aside), or "is said" after a verb.
SPEECH_AFTER = regex.compile(r"[ \u00a0]*+(?:,[^,.;!?\n\"“”]{1,80}?,[ \u00a0]*+)?" + _ADVERB + _VERBS + r"\b")

PRONOUNS = {"he": ("person", "m"), "she": ("person", "f"), "they": (None, None), "it": ("organisation", None)}
_PRONOUN_LAST = regex.compile(r"\b((?i:he|she|they|it))[ \u00a0]+" + _ADVERB + r"$")
_PRONOUN_FIRST = regex.compile(r"[ \u00a0]*+((?i:he|she|they|it))\b")
_DETERMINER = r"(?:[Tt]he|[Aa]n?|[Oo]ne|[Hh]is|[Hh]er|[Tt]heir|[Ii]ts|[\p{L}\p{M}]+['’]s)"
_ROLE_PHRASE = r"((?:[\p{Ll}\-]+[ \u00a0]+){0,3}?[\p{Ll}\-]+)"
_ROLE_LAST = regex.compile(
    r"\b" + _DETERMINER + r"[ \u00a0]+" + _ROLE_PHRASE + r"[ \u00a0]*+,?[ \u00a0]*+" + _ADVERB + "$"
)
_ROLE_FIRST = regex.compile(r"[ \u00a0]*+" + _DETERMINER + r"[ \u00a0]+" + _ROLE_PHRASE)
_ROLE_REFERENCE = regex.compile(r"\b(?:[Tt]he|[Hh]is|[Hh]er|[Tt]heir|[Ii]ts)[ \u00a0]+(\p{Ll}+)\b")
ACCORDING_TO = regex.compile(r"\b[Aa]ccording[ \u00a0]+to[ \u00a0]+(?:the[ \u00a0]+)?")
_LEAD = regex.compile(r"[ \u00a0]*+[,;:—–\-]?[ \u00a0]*+")
_CLAUSE_STOP = regex.compile(r"[.!?;](?=[\s\"“”]|$)|\n|[\"“]")
_RELATIVE = regex.compile(r"\b(?:who|which|whose|that|where)\b")
_UNNAMED = regex.compile(
    r"(?:One|A|An|Another)[ \u00a0]+(?:[\p{Ll}\-]+[ \u00a0]+){0,3}?(?:woman|man|resident|employee|worker|"
    r"neighbou?r|official|spokes(?:man|woman|person)|witness|parent|mother|father|student|teacher|nurse|"
    r"doctor|officer|source|person|member|voter|driver|passenger|customer|shopper|farmer|owner|analyst|lawyer|"
    r"friend|user|fan|commuter|tenant|volunteer|protester|protestor)s?\b"
)

PRONOUN_REACH = 2000  # code points a pronoun looks back for its name, at most eight sentences
_AUXILIARIES = frozenset("had has have was were is are would will could should did does do not never".split())

NAMED = "named"  # the speaker's name stands in the attribution
RESOLVED = "resolved"  # a pronoun or a role in the attribution, resolved to a name used before
UNNAMED = "unnamed"  # attributed, but to nobody named ("said one resident")
CONTINUED = "continued"  # no attribution of its own: the words carry on those of the quote before
ACCORDING = "according"  # "according to X" in the quote's sentence


@dataclass(frozen=True)
class Said:
    entity: Entity | None
    mention: Mention | None  # the name in the attribution itself, when it stands there
    how: str
    strong: bool = True  # False for a partial quote inside the speaker's own sentence ("X said it was “…”")


class Attributor:
    """Attributes the quotes of one English text, in order."""

    def __init__(
        self, text: str, spans: list[tuple[int, int]], quotes: list[Quoted], names: Names, sentences: Sentences
    ) -> None:
        self.text, self.spans, self.quotes, self.names, self.sentences = text, spans, quotes, names, sentences
        self._quote_starts = [quote.open_at for quote in quotes]

    def all(self) -> list[Said | None]:
        found: list[Said | None] = []
        for index, quote in enumerate(self.quotes):
            found.append(self._one(index, quote, found))
        return found

    def _one(self, index: int, quote: Quoted, found: list[Said | None]) -> Said | None:
        text = self.text
        paragraph_start = self.spans[quote.paragraph][0]
        previous = (
            self.quotes[index - 1] if index and self.quotes[index - 1].last_paragraph == quote.paragraph else None
        )
        following = self.quotes[index + 1] if index + 1 < len(self.quotes) else None
        sentence_start = self.sentences.spans[self.sentences.index_at(quote.open_at)][0]
        clause_start = max(paragraph_start, sentence_start, previous.close_at + 1 if previous else 0)
        before = self._before(clause_start, quote.open_at, previous, found[index - 1] if previous else None)
        if before is not None and before.strong:
            return before
        limit = min(self.spans[quote.last_paragraph][1], quote.close_at + 250)
        if following is not None and following.open_at < limit:
            limit = following.open_at
        after = self._after(quote, limit)
        if after is not None:
            return after
        if before is not None:
            return before
        if previous is not None and found[index - 1] is not None:
            earlier = found[index - 1]
            if previous.open_at >= sentence_start and earlier.entity is not None and earlier.how in (NAMED, RESOLVED):
                return Said(earlier.entity, None, RESOLVED, False)  # "… said it was “disappointed” and “unfair.”"
            return Said(earlier.entity, None, CONTINUED)
        if not text[clause_start : quote.open_at].strip():
            earlier = self.sentences.index_at(quote.open_at) - 1
            if earlier >= 0 and self.sentences.spans[earlier][0] >= paragraph_start:
                start, end = self.sentences.spans[earlier]
                said = self._before(start, end, None, None)
                if said is not None and said.how != UNNAMED:
                    return Said(said.entity, None, CONTINUED)
        if quote.open_at == paragraph_start and quote.paragraph > 0:
            last = index - 1
            while last >= 0 and self.quotes[last].last_paragraph == quote.paragraph - 1:
                if found[last] is not None:
                    return Said(found[last].entity, None, CONTINUED)
                last -= 1
        return None

    # -- attribution before the opening mark: "X said: “", "X called it “", ", said X, “"

    def _before(self, start: int, end: int, previous: Quoted | None, previous_said: Said | None) -> Said | None:
        text = self.text
        verbs = list(VERB.finditer(text, start, end))
        if not verbs:
            return self._according(start, end)
        verb = verbs[-1]
        tail = text[verb.end() : end].rstrip()
        strong = not tail or tail[-1] in ":,"
        for mention in self.names.between(start, verb.start()):
            if self._can_speak(mention):
                return Said(mention.entity, mention, NAMED, strong)
        pronoun = _PRONOUN_LAST.search(text, start, verb.start())
        if pronoun:
            return self._pronoun(pronoun.group(1), pronoun.start(), strong)
        for mention in self.names.between(verb.end(), end):
            if self._can_speak(mention):
                return Said(mention.entity, mention, NAMED, strong)
        role = _ROLE_LAST.search(text, start, verb.start())
        if role:
            return self._role(role.group(1), role.start(), strong)
        if previous is not None and start == previous.close_at + 1 and previous_said is not None:
            return Said(previous_said.entity, None, CONTINUED, strong)  # "… “a turning point” and said it was “…"
        return Said(None, None, UNNAMED, strong)

    def _according(self, start: int, end: int) -> Said | None:
        according = ACCORDING_TO.search(self.text, start, end)
        if according is None:
            return None
        mention = self.names.starting_at(according.end())
        return Said(mention.entity, mention, ACCORDING, False) if mention else None

    # -- attribution after the closing mark: "…,” said X", "…,” X said", "…,” she added"

    def _after(self, quote: Quoted, limit: int) -> Said | None:
        text = self.text
        start = _LEAD.match(text, quote.close_at + 1, limit).end()
        end = self._clause_end(start, limit)
        if start >= end:
            return None
        verb = VERB.search(text, start, end)
        if verb is None:
            according = ACCORDING_TO.match(text, start, end)
            return self._according(start, end) if according else None
        if verb.start() == start:  # "said X, the …"
            subject_end = _RELATIVE.search(text, verb.end(), end)
            subject_end = subject_end.start() if subject_end else end
            for mention in self.names.between(verb.end(), subject_end):
                if self._can_speak(mention):
                    return Said(mention.entity, mention, NAMED)
            pronoun = _PRONOUN_FIRST.match(text, verb.end(), subject_end)
            if pronoun:
                return self._pronoun(pronoun.group(1), quote.open_at, True)
            role = _ROLE_FIRST.match(text, verb.end(), subject_end)
            return self._role(role.group(1), quote.open_at, True) if role else None
        subject = text[start : verb.start()].split()
        if len(subject) > 14 or subject[-1].lower() in _AUXILIARIES:
            return None  # "Whitlow had pleaded guilty": a sentence of its own
        if text[quote.end - 1] == "." and len(text[verb.end() : end].split()) > 5:
            return None  # “… .” X said the plan was …: a new sentence, not this quote's attribution
        for mention in self.names.between(start, verb.start()):
            if self._can_speak(mention):
                return Said(mention.entity, mention, NAMED)
        pronoun = _PRONOUN_LAST.match(text, start, verb.start())
        if pronoun:
            return self._pronoun(pronoun.group(1), quote.open_at, True)
        role = _ROLE_LAST.match(text, start, verb.start())
        if role:
            return self._role(role.group(1), quote.open_at, True)
        return None

    def _clause_end(self, start: int, limit: int) -> int:
        for stop in _CLAUSE_STOP.finditer(self.text, start, limit):
            if stop.group() != "." or ends_a_sentence(self.text, stop.start()):
                return stop.start()
        return limit

    # -- pronouns and roles

    def _can_speak(self, mention: Mention) -> bool:
        return not mention.possessive and not mention.after_preposition and mention.entity.kind != "place"

    def _role(self, phrase: str, at: int, strong: bool) -> Said:
        entity = self.names.by_role(role_of(phrase), at)
        return Said(entity, None, RESOLVED if entity else UNNAMED, strong)

    def _pronoun(self, pronoun: str, at: int, strong: bool) -> Said:
        """The entity a pronoun at `at` stands for: the subject (first name or role named) of the nearest
        sentence before it that names someone who fits; or nobody, if that sentence is about someone
        unnamed ("One woman … said")."""
        kind, gender = PRONOUNS[pronoun.lower()]
        text = self.text
        here = self.sentences.index_at(at)
        floor = at - PRONOUN_REACH
        for index in range(here, max(-1, here - 8), -1):
            start, end = self.sentences.spans[index]
            if end <= floor:
                break
            start, end = max(start, floor), min(end, at)
            candidates: list[tuple[int, Entity, Mention | None]] = [
                (mention.start, mention.entity, mention)
                for mention in self.names.between(start, end)
                if not (mention.possessive or mention.after_preposition) and self._fits(mention.entity, kind, gender)
            ]
            for reference in _ROLE_REFERENCE.finditer(text, start, end):
                entity = self.names.by_role(reference.group(1), reference.start())
                if entity is not None and self._fits(entity, kind, gender) and not self._quoted(reference.start()):
                    candidates.append((reference.start(), entity, None))
            if candidates:
                _at, entity, mention = min(candidates, key=lambda candidate: candidate[0])
                return Said(entity, mention, RESOLVED, strong)
            if start < at and _UNNAMED.match(text, start):
                return Said(None, None, UNNAMED, strong)
        return Said(None, None, UNNAMED, strong)

    @staticmethod
    def _fits(entity: Entity, kind: str | None, gender: str | None) -> bool:
        if kind is None:
            return entity.kind != "place"
        if entity.kind != kind:
            return False
        return gender is None or entity.gender in (None, gender)

    def _quoted(self, position: int) -> bool:
        index = bisect.bisect_right(self._quote_starts, position) - 1
        return index >= 0 and self.quotes[index].start <= position < self.quotes[index].end
