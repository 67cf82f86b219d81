"""Opt-out detection: deterministic rules, run before anything else and never delegated to the LLM.

Policy (FCC 2024 TCPA consent-revocation rule, 47 CFR 64.1200(a)(10): revocation "by any reasonable means", and
the listed words must always be honoured; CTIA/carrier keywords; GDPR art. 21 objections and CCPA "do not sell").
An opt-out on any channel suppresses every channel (see `decision.py`).

What counts, on the reply without quoted history (`text.normalize_reply`: `>` lines, "On ... wrote:", Outlook
headers, signatures, HTML blockquotes removed), case-, accent-, punctuation-, emoji- and look-alike-insensitive
(fullwidth, Cyrillic/Greek homoglyphs, zero-width characters), with common textspeak expanded (`u`, `pls`, `2`):

1. **Keyword clause** — a clause (split at `. , ! ? ; :`, spaced dashes, line breaks) made only of revocation
   keywords — the FCC's `stop`, `quit`, `end`, `revoke`, `opt out`, `cancel`, `unsubscribe`, the carriers'
   `stopall`, plus `optout`/`opt-out`, `remove`, `unsub`, Spanish `alto`, `parar`, `baja`, `cancelar` — and
   filler words (`please`, `now`, `thanks`, `hi`, `me`, `texting`, `messages`, `all`, `this number`...), at most
   8 tokens. So `STOP`, `Stop!!`, `stop.`, `STOP ALL`, `please stop`, `stop texting me`, `Not interested, stop`,
   `Stop. Who is this?`, `I quit` are opt-outs, and `don't stop the project`, `I can't quit my day job, but
   interested`, `when does the work end?`, `stop by the shop`, `Reply STOP to opt out` are not (their clauses
   hold other words). Accepted spellings: letters spaced or dotted out (`s t o p`, `S.T.O.P`), repeated letters
   (`stopppp`), one swapped pair (`sotp`), digit/symbol look-alikes (`st0p`, `$TOP`), a misspelt `unsubscribe`
   (edit distance ≤ 2, starting with "un").
2. **Leading keyword** — a sentence opening with a keyword and going on as a new unpunctuated sentence: `STOP I
   never signed up for this`, `Stop who is this`, `End this is spam` (the next word must start a sentence: `I`,
   `who`, `this is`, `please`...; so `stop by tomorrow`, `cancel this week's visit` are not).
3. **Phrases** in a sentence, not negated (`don't stop sending leads`) and, for "don't text me", not limited in
   time or channel ("don't text me after 8pm", "don't call, text me instead" are not): "stop/quit texting
   (emailing, messaging, contacting, calling...)", "stop (all) the texts/emails", "please don't text/email/
   contact/message me (again)", "don't call or text me", "take me off your list", "remove me/us/my number",
   "leave me alone", "unsubscribe me", "I want to unsubscribe / opt out", "how do I unsubscribe", "opt me out",
   "I'm opting out", "no more texts", "no further outreach", "enough with the texts", "I don't want any more
   messages", "I don't want to be contacted", "refrain from contacting me", "put me on your do not call list",
   "lose/delete my number", "I already asked to be removed", "how many times do I have to say stop", "go away",
   "cease and desist", "this is harassment", profanity ("f*** off").
4. **Privacy objections** (GDPR/CCPA/CPRA) — "I object to (the) processing (of my data)", "do not sell/share my
   (personal) information", "opt me out of the sale", "delete/erase my data (information, details...)", "right to
   be forgotten/erasure/object", "withdraw/revoke my consent", "I do not consent", and any GDPR/CCPA/CPRA mention
   with a demand word (object, delete, erase, remove, opt out, withdraw...). Category `privacy`, so the caller can
   also start an erasure request.

An email `subject` that is itself an opt-out ("Unsubscribe", "Re: remove me") counts too. Not detected on
purpose: a keyword buried inside a longer sentence ("we had to cancel a job", "reply STOP to opt out"), questions
about opting out later ("can I cancel anytime?"), and time/channel restrictions ("don't text me before 9").

`detect_opt_out` returns the matched rule so the suppression and consent ledger can record their evidence.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final, Literal

from rapidfuzz.distance import Levenshtein

from outreach.responses.text import NormalizedReply, clauses, normalize_reply, normalize_subject

Channel = Literal["email", "sms"]
OptOutCategory = Literal["keyword", "phrase", "privacy"]

SUPPRESS_CHANNELS: Final[tuple[Channel, ...]] = ("email", "sms")

# The FCC list (stop, quit, end, revoke, opt out, cancel, unsubscribe), the CTIA/carrier keywords (STOPALL) and
# a few near-universal ones. Keys are canonical forms after `_canonical_token`.
REVOCATION_KEYWORDS: Final[frozenset[str]] = frozenset({
    "stop", "stopall", "unsubscribe", "cancel", "end", "quit", "revoke", "optout", "remove", "unsub",
    "unsubscribeme", "removeme", "stopit", "alto", "parar", "baja", "cancelar",
})
_FILLERS: Final[frozenset[str]] = frozenset({
    "please", "pls", "plz", "plez", "plse", "pleas", "pleeease", "kindly", "thanks", "thank", "you", "thx", "ty",
    "tnx", "now", "right", "immediately", "asap", "already", "again", "anymore", "ever", "just", "ok", "okay", "k",
    "no", "it", "this", "these", "all", "everything", "me", "us", "my", "our", "from", "your", "list", "lists",
    "mailing", "number", "phone", "texts", "text", "texting", "txt", "txts", "txting", "message", "messages",
    "messaging", "msg", "msgs", "sms", "email", "emails", "emailing", "mail", "mails", "e", "calls", "calling",
    "contact", "contacting", "sending", "subscription", "i", "said", "sir", "maam", "man", "dude", "bro",
    "por", "favor", "gracias", "yes", "yeah", "ya", "and", "or", "contacts", "info", "dnc", "spam", "spamming",
    "hi", "hey", "hello", "yo", "hola", "hiya", "u", "ur",
})
# A message opening with a keyword followed by a new, unpunctuated sentence: "STOP I never signed up for this".
_NEW_SENTENCE_STARTS: Final[frozenset[str]] = frozenset({
    "i", "im", "ive", "id", "ill", "this", "these", "we", "were", "weve", "who", "whoever", "you", "youre", "dont",
    "do", "please", "pls", "its", "not", "no", "never", "wrong", "how", "why", "what", "quit", "stop", "leave",
    "lose", "remove", "unsubscribe", "take", "thats", "seriously", "already", "go", "fuck", "f", "spam", "again",
})
_TEXTSPEAK: Final[tuple[tuple[re.Pattern[str], str], ...]] = tuple((re.compile(p), r) for p, r in (
    (r"\bu\b", "you"), (r"\bur\b", "your"), (r"\br\b", "are"), (r"\b(?:pls|plz|plez|plse)\b", "please"),
    (r"(?<=[a-z] )2(?= [a-z])", "to"), (r"(?<=[a-z] )4(?= [a-z])", "for"), (r"\btxt\b", "text"),
    (r"\btxting\b", "texting"), (r"\bmsg\b", "message"), (r"\bmsgs\b", "messages"), (r"\bthx\b", "thanks"),
    (r"\bya\b", "you"), (r"\bem\b", "them"), (r"\bdon t\b", "dont"), (r"\bdo nt\b", "dont"),
))
_MAX_KEYWORD_CLAUSE_TOKENS: Final = 8
_LEET: Final = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s"})
_RUNS = re.compile(r"(.)\1+")
_COLLAPSED_KEYWORDS: Final[dict[str, str]] = {_RUNS.sub(r"\1", k): k for k in REVOCATION_KEYWORDS}


@dataclass(frozen=True)
class OptOut:
    """A detected opt-out: which rule matched, on what text, and what to suppress."""

    rule: str  # e.g. "keyword:stop", "phrase:take_me_off_list", "privacy:do_not_sell"
    category: OptOutCategory
    matched: str  # the normalized clause or phrase that matched
    channel: str
    confidence: float
    suppress_channels: tuple[Channel, ...] = SUPPRESS_CHANNELS


def _is_transposition(token: str, keyword: str) -> bool:
    """`sotp` for `stop`: the same letters with one adjacent pair swapped."""
    if len(token) != len(keyword) or token == keyword:
        return False
    diff = [i for i, (a, b) in enumerate(zip(token, keyword, strict=True)) if a != b]
    return len(diff) == 2 and diff[1] == diff[0] + 1 and token[diff[0]] == keyword[diff[1]] \
        and token[diff[1]] == keyword[diff[0]]


def _canonical_token(token: str) -> str | None:
    """The revocation keyword `token` spells, if any: `STOPPP`, `sotp`, `unsubscibe` → its canonical keyword."""
    if token in REVOCATION_KEYWORDS:
        return token
    collapsed = _RUNS.sub(r"\1", token)
    if collapsed in _COLLAPSED_KEYWORDS:
        return _COLLAPSED_KEYWORDS[collapsed]
    if len(token) >= 4:
        for keyword in _TRANSPOSABLE:
            if _is_transposition(token, keyword):
                return keyword
    if token.startswith("un") and 9 <= len(token) <= 14 \
            and Levenshtein.distance(token, "unsubscribe", score_cutoff=2) <= 2:
        return "unsubscribe"
    return None


_TRANSPOSABLE: Final = ("stop", "quit", "cancel", "revoke", "optout", "stopall", "remove")
_MERGE: Final[dict[str, str]] = {"opt out": "optout", "un subscribe": "unsubscribe", "stop all": "stopall",
                                 "un sub": "unsub", "opt me out": "optout", "opt us out": "optout"}


def _keyword_tokens(clause: str) -> list[str]:
    """Tokens of a clause with spelled-out letters joined and multi-word keywords merged."""
    tokens = clause.split()
    if len(tokens) >= 3 and all(len(t) == 1 for t in tokens):
        tokens = ["".join(tokens)]  # "s t o p", "S.T.O.P"
    merged: list[str] = []
    i = 0
    while i < len(tokens):
        for width in (3, 2):
            if " ".join(tokens[i:i + width]) in _MERGE:
                merged.append(_MERGE[" ".join(tokens[i:i + width])])
                i += width
                break
        else:
            merged.append(tokens[i])
            i += 1
    return merged


def _keyword_clause(clause: str) -> str | None:
    """The keyword of a clause made only of revocation keywords and fillers (at most 8 tokens), else None."""
    tokens = _keyword_tokens(clause)
    if not tokens or len(tokens) > _MAX_KEYWORD_CLAUSE_TOKENS:
        return None
    keyword = None
    for token in tokens:
        canonical = _canonical_token(token)
        if canonical is not None:
            keyword = keyword or canonical
        elif token not in _FILLERS and not token.isdigit():
            return None
    return keyword


_NOT_BEFORE = (r"(?<!\bdont )(?<!\bnot )(?<!\bnever )(?<!\bwont )(?<!\bdidnt )(?<!\bshouldnt )(?<!\bdo not )"
               r"(?<!\bcant )(?<!\bcannot )(?<!\bi )(?<!\bwe )(?<!\bthey )(?<!\bhe )(?<!\bshe )(?<!\bif )")
_SUBJECT_BEFORE = (r"(?<!\bi )(?<!\bwe )(?<!\bthey )(?<!\bhe )(?<!\bshe )(?<!\byou )(?<!\bit )(?<!\bwho )"
                   r"(?<!\bthat )(?<!\bpeople )(?<!\busually )(?<!\bif )(?<!\bwhy )")
_CONTACT_VERB = (r"(?:text|txt|texting|message|msg|messaging|email|e mail|mail|emailing|contact|contacting|sms|"
                 r"reach out to|reach out|reach|hit (?:me|us) up|ping|solicit)")
_CONTACT_VERB_WITH_OBJECT = r"(?:bother|spam|write|harass|call|phone|pester|hassle|sell|pitch)"
_CONTACT_ING = (r"(?:texting|txting|messaging|msging|emailing|e mailing|mailing|contacting|calling|sending|"
                r"bothering|spamming|harassing|hitting (?:me|us) up|reaching out|writing|pinging|blowing up|"
                r"soliciting|pestering|hassling)")
_MEDIA = (r"(?:texts?|txts?|messages?|msgs?|emails?|e mails?|mails?|sms|spam|calls|solicitations?|marketing|"
          r"promotions?|ads|notifications|communications?|correspondence|junk|crap|robo ?texts?)")
_OBJECT = (r"(?:me|us|this (?:number|phone|email|address|account|line)|my (?:number|phone|cell|email|"
           r"e mail|address|info|information|name|contact(?: info| information| details)?|details|"
           r"business|company)|our (?:number|email|address|info|business|company))")
_AFTER_VERB = (rf"(?: (?:{_OBJECT}|any ?more|again|ever|further|at all|here|this|on this \w+|about (?:this|that|"
               rf"it)|with (?:this|that|your)|{_MEDIA}))")
_LIST = r"(?:list|lists|database|system|records|contacts|mailing list|texting list|email list|distribution)"
_TEMPORAL = re.compile(
    r"^(?: [a-z0-9]+){0,4}? (?:until|till|"
    r"til|before|after|during|between|on (?:weekends?|sundays?|saturdays?)|at night|at work|in the (?:morning|"
    r"evening|afternoon)|today|tonight|this (?:week|morning|afternoon|evening)|right now|for (?:a|now|the next)|"
    r"while|when|unless|late|early|so late|so early|past|anytime before|yet)\b")
_CHANNEL_PREFERENCE = re.compile(r"\b(?:instead|rather|only|just (?:text|email|call)|(?<!\bor )(?<!\bnor )"
                                 r"(?:text|email|call|message) (?:me|us)(?! (?:again|anymore|any more|ever))\b"
                                 r"(?!.*\b(?:again|anymore)\b))")


def _not_time_limited(sentence: str, match: re.Match[str]) -> bool:
    """`don't text me` is an opt-out; `don't text me after 8pm`, `don't email, text me instead` are not."""
    rest = sentence[match.end():]
    return not _TEMPORAL.match(rest) and not _CHANNEL_PREFERENCE.search(rest)


_PHRASE_TABLE: Final = (
    ("stop_contacting", "phrase", rf"{_NOT_BEFORE}\b(?:stop|quit|cease|end|discontinue|halt|no more) (?:all )?"
                                  rf"(?:the |this |your )?{_CONTACT_ING}\b", None),
    ("stop_messages", "phrase", rf"{_NOT_BEFORE}\b(?:stop|quit|cease|end|discontinue|halt|cancel) (?:all |with )?"
                                rf"(?:the |these |those |your |this |all the |all these |all of the |all your |"
                                rf"all of these |all of your )?(?:\w+ )?{_MEDIA}\b", None),
    ("do_not_contact", "phrase", rf"{_SUBJECT_BEFORE}\b(?:please |pls |plz |kindly )?(?:do not|dont|do nt|dnt|never|"
                                 rf"no longer) (?:ever )?(?:(?:{_CONTACT_VERB_WITH_OBJECT} (?:or|and|nor) )?"
                                 rf"{_CONTACT_VERB}"
                                 rf"(?: (?:or|and|nor) (?:{_CONTACT_VERB}|{_CONTACT_VERB_WITH_OBJECT}))?"
                                 rf"(?={_AFTER_VERB}|$)|"
                                 rf"{_CONTACT_VERB_WITH_OBJECT}{_AFTER_VERB}|send (?:me|us) (?:any ?more |any |more |"
                                 rf"these |those |your |this |that |further |\w+ )?(?:{_MEDIA}|stuff|junk|crap|offers|"
                                 rf"things|anything)\b)", _not_time_limited),
    ("do_not_contact_list", "phrase", r"\b(?:do not|dont) (?:call|contact|text|email|solicit|mail)(?: me)? list\b|"
                                      r"\bdnc list\b|\b(?:put|add|place) (?:me|us|my number|this number) (?:on|to) "
                                      r"(?:your |the )?(?:do not|dont|dnc)\b", None),
    ("no_more_messages", "phrase", rf"{_NOT_BEFORE}\bno (?:more|further) (?:\w+ )?(?:{_MEDIA}|contact|outreach|"
                                   rf"contacting)\b|\benough (?:with|of) (?:the |these |your |all the )?{_MEDIA}\b|"
                                   rf"^enough {_MEDIA}\b",
     None),
    ("refrain", "phrase", r"\brefrain from (?:contacting|texting|emailing|messaging|calling|reaching|sending|"
                          r"writing|soliciting)\b|\b(?:rather|prefer to|prefer) not (?:to )?be (?:contacted|texted|"
                          r"emailed|messaged|called|solicited)\b|\b(?:cease|stop|end|discontinue) (?:all )?"
                          r"(?:further )?(?:contact|outreach|communication)(?: with (?:me|us))?$", None),
    ("do_not_want_messages", "phrase",
     rf"\b(?:dont|do not|no longer|never) (?:want|wish|need|care) (?:to (?:receive|get|hear from you|be "
     rf"(?:contacted|texted|emailed|messaged|bothered|solicited)|hear from (?:you|instabids))|(?:any |any more |"
     rf"anymore |your |these |those |further |more |the |this |to get |to receive )?(?:\w+ )?{_MEDIA})\b",
     _not_time_limited),
    ("take_me_off", "phrase",
     rf"\btake {_OBJECT} (?:off|out of)\b|\b(?:take|remove|delete|drop|erase|scrub|strike|get) {_OBJECT} "
     rf"(?:off|out|from) (?:\w+ )?(?:\w+ )?{_LIST}\b|\boff (?:of )?(?:your|the|this) {_LIST}\b", None),
    ("remove_me", "phrase",
     rf"{_NOT_BEFORE}\b(?:remove|delete|drop) (?:me|us|this number|my number|this email|my email|my (?:cell|phone)|"
     rf"this contact|my contact\w*)\b", None),
    ("leave_me_alone", "phrase", r"\bleave (?:me|us|my \w+) (?:the \w+ )?alone\b|\bleave (?:me|us) be\b|"
                                 r"^(?:i|we) want out$|^no more(?: please| thanks| thank you)?$", None),
    ("be_removed", "phrase", r"\b(?:i|we|id|wed|ive|weve)(?: \w+){0,2} (?:to )?be (?:removed|taken off|"
                             r"unsubscribed|opted out|deleted)\b(?! if\b)", None),
    ("unsubscribe", "phrase",
     rf"{_NOT_BEFORE}\bunsubscribe (?:me|us|this|my|from)\b|(?<!\bif i )(?<!\bif we )\b(?:want|wish|like|need|"
     rf"going|trying|asking|please|pls|how (?:do|can|to)(?: i| we)?|where (?:do|can) (?:i|we)) (?:to )?"
     rf"(?:unsubscribe|unsub|opt out|optout|opt off)\b|\b(?:already|just) unsubscribed\b|^unsubscribed$", None),
    ("asked_before", "phrase",
     r"\b(?:said|say|saying|told you|tell you|asked you|asking you|telling you|asked|requested|texted) (?:to |you to )?"
     r"(?:stop(?=$| (?:texting|txting|messaging|emailing|contacting|calling|sending|it|now|please|already|"
     r"twice|again|before|\w+ times))|remove me|unsubscribe|take me off|opt out|be removed|be taken off|"
     r"be unsubscribed|not (?:text|contact|email|message) (?:me|us))\b", None),
    ("opt_me_out", "phrase", r"\bopt (?:me|us|my \w+|this \w+) out\b|\b(?:im|i am|we are|were) opting out\b|"
                             r"(?:^|\bhereby )i opt out\b|^opting out\b", None),
    ("lose_my_number", "phrase", r"\b(?:lose|delete|forget|trash|toss) (?:my|this|our) (?:number|phone number|email|"
                                 r"email address|contact(?: info)?)\b", None),
    ("go_away", "phrase", r"(?:^|\b(?:please|pls|just|now|so) )go away(?: (?:please|pls|now|thanks))*$|"
                          r"\b(?:fuck|f|fck|fuk|piss|buzz|bugger|sod|back) off\b|^(?:please |just )?get lost\b|"
                          r"\bgo to hell\b|\bthis is harassment\b|\bcease and desist\b", None),
    ("revoke_consent", "privacy",
     r"\b(?:withdraw|withdrawing|revoke|revoking|rescind|rescinding|retract|cancel) (?:my |our |any |all |the )?"
     r"(?:prior |previous |express )?(?:consent|permission|authorization|authorisation|opt in)\b|"
     r"\bi (?:do not|dont|no longer) (?:consent|give (?:my )?(?:consent|permission))\b", None),
    ("object_to_processing", "privacy",
     r"\bobject(?:ing)? to (?:the |any |all |further |your )?(?:processing|use|collection|storage|handling|"
     r"retention) (?:of )?(?:my|our|this|any)?\b|\bobject(?:ing)? to (?:you|your company|you guys|instabids|"
     r"them|anyone) (?:processing|using|collecting|storing|holding|keeping|selling|sharing)\b|"
     r"\bobject to processing\b|\bright to object\b|^i (?:hereby )?object$|"
     r"\bobjection to (?:the )?processing\b", None),
    ("do_not_sell", "privacy",
     r"\b(?:do not|dont|never|stop|not to) (?:sell|share|selling|sharing|trade|rent|disclose)(?: or (?:share|sell|"
     r"disclose|trade))? (?:my|our|any of my|any) (?:personal )?(?:data|information|info|details|contact|number|"
     r"email|pii)\b|\bopt (?:me |us )?out of (?:the |any )?(?:sale|sales|selling|sharing)\b|"
     r"\blimit the use of my\b", None),
    ("delete_my_data", "privacy",
     r"\b(?:delete|erase|remove|purge|wipe|destroy|scrub) (?:all )?(?:of )?(?:my|our) (?:personal )?(?:data|"
     r"information|info|details|contact (?:info|information|details)|records?|profile|pii|personal)\b|"
     r"\bright to (?:be forgotten|erasure|deletion|delete|be deleted)\b|\b(?:erasure|deletion) request\b", None),
)
Guard = Callable[[str, re.Match[str]], bool]
_PHRASES: Final[tuple[tuple[str, OptOutCategory, re.Pattern[str], Guard | None], ...]] = tuple(
    (name, category, re.compile(pattern), guard) for name, category, pattern, guard in _PHRASE_TABLE
)
_PRIVACY_LAW = re.compile(r"\b(?:gdpr|ccpa|cpra|data protection act|vcdpa|ctdpa|cdpa)\b")
_PRIVACY_DEMAND = re.compile(r"\b(?:object|objection|delete|deletion|erase|erasure|remove|opt (?:me |us )?out|"
                             r"optout|withdraw|revoke|do not sell|dont sell|forgotten|forget me)\b")

_CONFIDENCE: Final[dict[OptOutCategory, float]] = {"keyword": 0.99, "phrase": 0.95, "privacy": 0.95}
_LEET_TOKEN = re.compile(r"[0-9a-z$@]*[0-9$@][0-9a-z$@]*")


def _deleet(folded: str) -> str:
    """`st0p`, `$TOP`, `5top` → `stop` when the de-leeted token is a keyword; other tokens unchanged."""
    def repl(m: re.Match[str]) -> str:
        token = m.group(0)
        if not any(c.isalpha() or c in "$@" for c in token):
            return token
        plain = token.translate(_LEET)
        return plain if _canonical_token(plain) else token
    return _LEET_TOKEN.sub(repl, folded)


def _textspeak(sentence: str) -> str:
    for pattern, replacement in _TEXTSPEAK:
        sentence = pattern.sub(replacement, sentence)
    return sentence


def _leading_keyword(sentence: str) -> str | None:
    """`STOP I never signed up for this`: a keyword first, then what reads as a new sentence."""
    tokens = _keyword_tokens(" ".join(sentence.split()[:6]))
    while tokens and tokens[0] in ("hi", "hey", "hello", "yo", "ok", "okay", "please", "pls", "just", "no"):
        tokens = tokens[1:]
    if len(tokens) < 2 or tokens[1] not in _NEW_SENTENCE_STARTS:
        return None
    if tokens[1] in ("this", "these", "do") and tokens[2:3] not in (["is"], ["isnt"], ["are"], ["not"], ["was"]):
        return None  # "cancel this week's visit", "end this month"
    return _canonical_token(tokens[0])


def _detect(reply: NormalizedReply, channel: str) -> OptOut | None:
    for sentence in reply.sentences:
        sentence = _textspeak(sentence)
        for name, category, pattern, guard in _PHRASES:
            for match in pattern.finditer(sentence):
                if guard is None or guard(sentence, match):
                    return OptOut(f"{category}:{name}", category, sentence[:200], channel, _CONFIDENCE[category])
    if _PRIVACY_LAW.search(reply.words) and _PRIVACY_DEMAND.search(reply.words):
        return OptOut("privacy:privacy_law_request", "privacy", reply.words[:200], channel, 0.9)
    for sentence in reply.sentences:
        leading = _leading_keyword(sentence)
        if leading:
            return OptOut(f"keyword:{leading}", "keyword", sentence[:200], channel, _CONFIDENCE["keyword"])
    spelled = reply.words.split()
    if len(spelled) >= 3 and all(len(t) == 1 for t in spelled):
        keyword = _keyword_clause("".join(spelled))  # "S.T.O.P", "s-t-o-p"
        if keyword:
            return OptOut(f"keyword:{keyword}", "keyword", reply.words[:200], channel, _CONFIDENCE["keyword"])
    for clause in clauses(_deleet(reply.folded)):
        keyword = _keyword_clause(clause)
        if keyword:
            return OptOut(f"keyword:{keyword}", "keyword", clause[:200], channel, _CONFIDENCE["keyword"])
    return None


def detect_opt_out(text: str | None, channel: str = "sms", *, subject: str | None = None,
                   reply: NormalizedReply | None = None) -> OptOut | None:
    """The opt-out `text` (a raw inbound body; quoted history is ignored) expresses, else None.

    `subject` (email) counts when it is itself an opt-out ("Unsubscribe", "Remove me"); `reply` lets a caller
    that already normalized the body skip doing it again.
    """
    reply = reply if reply is not None else normalize_reply(text)
    found = _detect(reply, channel)
    if found is None and subject:
        subject_words = normalize_subject(subject)
        if subject_words:
            found = _detect(normalize_reply(subject_words), channel)
            if found is not None:
                found = OptOut(found.rule, found.category, f"subject: {found.matched}", channel, found.confidence)
    return found
