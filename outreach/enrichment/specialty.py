"""Specialties: license classifications and business text → the contract's 16 specialties, each with a confidence.

Why confidences differ by evidence: a CSLB class C36 is a state's word that the business may do plumbing; a
directory category is the business's own claim; `Roofing` in a business name is a strong hint, but `Smith
Construction` may do anything. So a license classification outranks a category, which outranks free text and names.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Final, get_args

from outreach.enrichment.fields import Normalized, Specialty

SPECIALTIES: Final[tuple[Specialty, ...]] = get_args(Specialty)
_BY_SLUG: Final[dict[str, Specialty]] = {specialty: specialty for specialty in SPECIALTIES}

CSLB_CLASSES: Final[dict[str, tuple[Specialty, float] | None]] = {
    "A": ("general_contractor", 0.6),  # general engineering: civil works more than homes
    "B": ("general_contractor", 1.0),  # general building
    "B2": ("remodeling", 1.0),  # residential remodeling
    "C2": None,  # insulation and acoustical
    "C4": ("hvac", 0.7),  # boiler, hot water heating and steam fitting
    "C5": ("carpentry", 0.9),  # framing and rough carpentry
    "C6": ("carpentry", 0.9),  # cabinet, millwork and finish carpentry
    "C7": ("electrical", 0.8),  # low voltage systems
    "C8": ("concrete", 1.0),
    "C9": ("drywall", 1.0),
    "C10": ("electrical", 1.0),
    "C11": None,  # elevator
    "C12": ("concrete", 0.6),  # earthwork and paving
    "C13": None,  # fencing
    "C15": ("flooring", 1.0),  # flooring and floor covering
    "C16": None,  # fire protection
    "C17": None,  # glazing
    "C20": ("hvac", 1.0),  # warm-air heating, ventilating and air-conditioning
    "C21": None,  # building moving and demolition
    "C22": None,  # asbestos abatement
    "C23": None,  # ornamental metal
    "C27": ("landscaping", 1.0),
    "C28": None,  # lock and security equipment
    "C29": ("concrete", 0.7),  # masonry
    "C31": None,  # construction zone traffic control
    "C32": None,  # parking and highway improvement
    "C33": ("painting", 1.0),  # painting and decorating
    "C34": ("plumbing", 0.5),  # pipeline
    "C35": ("drywall", 0.7),  # lathing and plastering
    "C36": ("plumbing", 1.0),
    "C38": ("hvac", 0.9),  # refrigeration
    "C39": ("roofing", 1.0),
    "C42": ("plumbing", 0.7),  # sanitation system
    "C43": ("hvac", 0.6),  # sheet metal
    "C45": None,  # sign
    "C46": ("solar", 1.0),
    "C47": ("general_contractor", 0.6),  # general manufactured housing
    "C49": ("landscaping", 0.8),  # tree and palm
    "C50": ("concrete", 0.6),  # reinforcing steel
    "C51": None,  # structural steel
    "C53": None,  # swimming pool
    "C54": ("flooring", 0.8),  # ceramic and mosaic tile
    "C55": ("plumbing", 0.6),  # water conditioning
    "C57": None,  # well drilling
    "C60": None,  # welding
    "C61": None,  # limited specialty: the D subcategory says which
    "D49": ("landscaping", 0.8),  # tree service
    "D64": ("handyman", 0.5),  # non-specialized
}
"""California CSLB class codes → (specialty, how squarely the class is that specialty); None = no contract trade."""

REGISTRY_LABELS: Final[dict[str, tuple[Specialty, float] | None]] = {
    "GENERAL": ("general_contractor", 0.9),  # WA specialty description of a general contractor
    "GENERAL SPECIALTY": None,  # WA catch-all specialty: handymen, pest control, cleaning...
}
"""Registry labels that name a trade only by convention, read before keywords (WA `GENERAL` alone is a GC)."""

_KEYWORDS: Final[tuple[tuple[Specialty, tuple[str, ...]], ...]] = (
    ("cleaning", ("carpet clean\\w*", "window clean\\w*", "gutter clean\\w*", "duct clean\\w*", "pressure wash\\w*",
                  "power wash\\w*", "window wash\\w*", "post construction clean\\w*", "clean(?:ing|ers?)",
                  "clean ?ups?", "janitorial", "maids?", "housekeep\\w*")),
    ("plumbing", ("drain clean\\w*", "plumb\\w*", "drains?", "sewers?", "water heaters?", "rooter", "backflow",
                  "repip\\w*", "pipes?", "pipeline")),
    ("pest_control", ("pest\\w*", "extermina\\w*", "termites?", "rodents?", "bed ?bugs?", "fumigat\\w*",
                      "mosquito\\w*")),
    ("solar", ("solar", "photovoltaic", "renewable\\w*", "battery storage", "net metering")),
    ("hvac", ("hvac", "heating", "cooling", "air ?condition\\w*", "a/c", "ac", "refrigerat\\w*", "furnaces?",
              "heat pumps?", "ventilat\\w*", "ductwork", "mechanical")),
    ("electrical", ("electric\\w*", "wiring", "rewir\\w*", "lighting", "low voltage", "ev chargers?",
                    "panel upgrades?")),
    ("roofing", ("roof\\w*", "gutters?", "shingles?")),
    ("painting", ("paint\\w*", "coatings?", "decorating", "cabinet refinish\\w*")),
    ("flooring", ("floor\\w*", "carpet\\w*", "til(?:e|es|ing)", "hardwood", "laminate", "vinyl", "linoleum")),
    ("carpentry", ("carpent\\w*", "cabinet\\w*", "framing", "millwork", "woodwork\\w*", "decks?", "decking",
                   "joinery", "mou?ldings?", "pergolas?")),
    ("landscaping", ("landscap\\w*", "lawns?", "irrigation", "tree (?:service|care|trimming|removal)\\w*",
                     "hardscap\\w*", "garden(?:ing|ers?)", "yard work", "mowing", "arborists?")),
    ("concrete", ("concrete", "cement", "masonry", "paving", "pavers?", "asphalt", "foundations?", "driveways?",
                  "flatwork", "slabs?")),
    ("drywall", ("drywall", "dry wall", "sheetrock", "plaster\\w*", "lathing", "stucco", "acoustic\\w*", "taping",
                 "texture match\\w*")),
    ("handyman", ("handym[ae]n", "handy m[ae]n", "odd jobs", "home repairs?", "property maintenance",
                  "home maintenance", "fix it", "honey do", "furniture assembly", "tv mounting")),
    ("remodeling", ("remodel\\w*", "renovat\\w*", "kitchen (?:and|&) bath\\w*", "home improvements?", "additions",
                    "design build")),
    ("general_contractor", ("general contract\\w*", "general building", "general construction", "construction",
                            "builders?", "home build\\w*", "building contractors?", "building co(?:mpany)?",
                            "residential building", "adus?")),
)  # fmt: skip
"""Trade words per specialty, as patterns over lower-case words joined by single spaces (punctuation other than
`&` and the slash of `a/c` is dropped first). Longer phrases win where they overlap (`carpet cleaning` is cleaning,
not flooring). A bare `contractor` maps to nothing: `Electrical Contractor` is an electrician, not a general
contractor. A phrase of several words starts with a literal word, so only those words trigger a phrase lookup."""

EVIDENCE_CONFIDENCE: Final[dict[str, float]] = {
    "license_type": 0.9,  # a trade word in a registry's license type or specialty description (WA, TX)
    "specialty_slug": 0.9,  # a source stating a contract specialty outright
    "specialty_hint": 0.8,  # a source's own trade label, mapped by keyword
    "category": 0.8,  # a directory category
    "description": 0.6,  # the business describing itself
    "business_name": 0.5,  # a trade word in the name
}
"""How much each kind of evidence says; CSLB class codes use their own weight from CSLB_CLASSES."""

_CODE = re.compile(r"^(?:CLASS)?([ABCD])0*(\d{0,2})$")
_CODE_NOISE = re.compile(r"[\s\-]+")
_LIST_SEPARATORS = re.compile(r"[|/;]")
_SPACES = re.compile(r"\s+")
_WORDS = re.compile(r"\b[a-z]/[a-z]\b|[a-z]+|&")
_LONGEST_PHRASE: Final = max(phrase.count(" ") + 1 for _, phrases in _KEYWORDS for phrase in phrases)
_PHRASE_HEADS: Final = frozenset(
    phrase.split(" ", 1)[0] for _, phrases in _KEYWORDS for phrase in phrases if " " in phrase
)
_KEYWORD_PATTERNS: Final = tuple(
    (re.compile(phrase), specialty)
    for phrase, specialty in sorted(
        ((phrase, specialty) for specialty, phrases in _KEYWORDS for phrase in phrases),
        key=lambda entry: (-len(entry[0]), entry[0]),
    )
)


@lru_cache(maxsize=16384)
def _keyword(words: str) -> Specialty | None:
    """The specialty a word or phrase names, if any (cached: trade vocabularies are small)."""
    for pattern, specialty in _KEYWORD_PATTERNS:
        if pattern.fullmatch(words):
            return specialty
    return None


@lru_cache(maxsize=16384)
def specialties_in_text(text: str) -> tuple[tuple[Specialty, str], ...]:
    """Every (specialty, matched words) in a free text, in order of appearance, longest phrase first.

    Word by word with cached lookups rather than one big regex over the text: the alternation of ~130 patterns
    cost ~50 µs per business name, this ~3 µs.
    """
    words = _WORDS.findall(text.lower())
    found: list[tuple[Specialty, str]] = []
    index = 0
    while index < len(words):
        lengths = range(_LONGEST_PHRASE, 0, -1) if words[index] in _PHRASE_HEADS else (1,)
        for length in lengths:
            phrase = " ".join(words[index : index + length])
            specialty = _keyword(phrase)
            if specialty is not None:
                found.append((specialty, phrase))
                index += length
                break
        else:
            index += 1
    return tuple(found)


def cslb_class(label: str) -> str | None:
    """`C-36`, `c36`, `C036`, `Class B` → the canonical code (`C36`, `B`), or None when it is not a code."""
    match = _CODE.match(_CODE_NOISE.sub("", label.upper()))
    return None if match is None else match.group(1) + match.group(2)


def infer_specialties(
    *,
    source: str,
    classifications: Iterable[str] = (),
    specialty_hints: Iterable[str] = (),
    description: str | None = None,
    business_name: str | None = None,
) -> tuple[Normalized[Specialty], ...]:
    """All specialties the evidence supports, one entry each at its strongest evidence, highest confidence first."""
    best: dict[Specialty, Normalized[Specialty]] = {}

    def offer(specialty: Specialty, confidence: float, method: str) -> None:
        current = best.get(specialty)
        if current is None or confidence > current.confidence:
            best[specialty] = Normalized(specialty, round(confidence, 4), method)

    registry = source.startswith("license_")
    classification_kind = "license_type" if registry else "category"
    for label in _split(classifications):
        code = cslb_class(label) if source == "license_ca" else None
        known = CSLB_CLASSES if code is not None else REGISTRY_LABELS if registry else {}
        key = code if code is not None else _SPACES.sub(" ", label.upper())
        if key in known:
            mapped = known[key]
            if mapped is not None:
                offer(mapped[0], mapped[1], f"cslb_class {code}" if code else f"registry_label {key!r}")
            continue
        for specialty, word in specialties_in_text(label):
            offer(specialty, EVIDENCE_CONFIDENCE[classification_kind], f"{classification_kind} {word!r}")
    for hint in specialty_hints:
        stated = _BY_SLUG.get(hint.strip().lower().replace(" ", "_").replace("-", "_"))
        if stated is not None:
            offer(stated, EVIDENCE_CONFIDENCE["specialty_slug"], f"specialty_hint {stated!r}")
            continue
        for specialty, word in specialties_in_text(hint):
            offer(specialty, EVIDENCE_CONFIDENCE["specialty_hint"], f"specialty_hint {word!r}")
    for kind, text in (("description", description), ("business_name", business_name)):
        for specialty, word in specialties_in_text(text) if text else ():
            offer(specialty, EVIDENCE_CONFIDENCE[kind], f"{kind} {word!r}")
    return tuple(sorted(best.values(), key=lambda found: (-found.confidence, found.value)))


def _split(labels: Iterable[str]) -> list[str]:
    """Classification fields often pack several labels: `B|C10|C20`, `C61/D49` (a comma is part of a label:
    TX `Barber, Class A`)."""
    return [part.strip() for label in labels for part in _LIST_SEPARATORS.split(label) if part.strip()]
