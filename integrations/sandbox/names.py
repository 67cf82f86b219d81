"""Name pools: people (Faker's en_US frequency lists, read as data: no Faker RNG) and business name parts.

Names are drawn with their real frequencies so that common surnames collide across businesses, as they do in
real registries: "Garcia Plumbing" in two cities is two businesses, and entity resolution has to know it.
"""

from __future__ import annotations

import numpy as np
from faker.providers.person.en_US import Provider as _People


def _pool(weighted: dict[str, float]) -> tuple[tuple[str, ...], np.ndarray]:
    names = tuple(weighted)
    weights = np.fromiter(weighted.values(), dtype=float)
    return names, weights / weights.sum()


FIRST_MALE, FIRST_MALE_P = _pool(_People.first_names_male)
FIRST_FEMALE, FIRST_FEMALE_P = _pool(_People.first_names_female)
LAST, LAST_P = _pool(_People.last_names)

# Informal first names people use on social profiles and referral forms.
NICKNAMES: dict[str, tuple[str, ...]] = {
    "Robert": ("Bob", "Rob", "Bobby"), "William": ("Bill", "Will", "Billy"), "James": ("Jim", "Jimmy"),
    "Richard": ("Rick", "Rich"), "Michael": ("Mike",), "Joseph": ("Joe",), "Thomas": ("Tom", "Tommy"),
    "Charles": ("Chuck", "Charlie"), "Christopher": ("Chris",), "Daniel": ("Dan", "Danny"), "Matthew": ("Matt",),
    "Anthony": ("Tony",), "Steven": ("Steve",), "Stephen": ("Steve",), "Andrew": ("Andy", "Drew"),
    "Joshua": ("Josh",), "Kenneth": ("Ken", "Kenny"), "Edward": ("Ed", "Eddie"), "Jennifer": ("Jen", "Jenny"),
    "Elizabeth": ("Liz", "Beth"), "Patricia": ("Pat", "Patty"), "Katherine": ("Kate", "Katie"),
    "Margaret": ("Maggie", "Peggy"), "Susan": ("Sue",), "Jessica": ("Jess",), "Rebecca": ("Becky",),
    "Deborah": ("Deb", "Debbie"), "Samantha": ("Sam",), "Alexander": ("Alex",), "Benjamin": ("Ben",),
    "Jonathan": ("Jon",), "Nicholas": ("Nick",), "Timothy": ("Tim",), "Gregory": ("Greg",), "Raymond": ("Ray",),
    "Lawrence": ("Larry",), "Donald": ("Don",), "Ronald": ("Ron",), "Gerald": ("Jerry",), "Douglas": ("Doug",),
    "Jeffrey": ("Jeff",), "David": ("Dave",), "Samuel": ("Sam",), "Patrick": ("Pat",), "Peter": ("Pete",),
    "Frederick": ("Fred",), "Zachary": ("Zach",), "Nathaniel": ("Nate",), "Victoria": ("Vicky",),
    "Christina": ("Tina", "Chris"), "Kimberly": ("Kim",), "Cynthia": ("Cindy",), "Melissa": ("Missy",),
    "Pamela": ("Pam",), "Theresa": ("Terry",), "Vincent": ("Vince",), "Phillip": ("Phil",),
    "Gabriel": ("Gabe",), "Jacob": ("Jake",), "Eugene": ("Gene",),
}

GENERIC_WORDS = (
    "American", "Premier", "Elite", "Reliable", "Precision", "Quality", "Superior", "Apex", "Summit", "Allied",
    "Pioneer", "Liberty", "Patriot", "Eagle", "Cornerstone", "Keystone", "Blue Ribbon", "Five Star", "Integrity",
    "Honest", "True North", "Ace", "A1", "AAA", "ABC", "Budget", "Express", "Pro", "Modern", "Classic",
    "Heritage", "Advanced", "Affordable", "All Star", "Atlas", "Benchmark", "Bright", "Capital", "Certified",
    "Champion", "Citywide", "Complete", "Crown", "Diamond", "Dependable", "Family", "First Choice", "Frontier",
    "Genesis", "Guardian", "Hometown", "Horizon", "Legacy", "Landmark", "Metro", "Monarch", "Neighborhood",
    "Northstar", "Paramount", "Peak", "Platinum", "Prestige", "Prime", "Priority", "Red Rock", "Royal",
    "Sterling", "Sunrise", "Titan", "Trinity", "Trusted", "United", "Valley", "Victory", "Vintage", "Westside",
    "Eastside", "Northside", "Southside", "Green Leaf", "Blue Sky", "Iron", "Oak", "Cedar", "Redwood", "Granite",
)
NAME_EXTENSIONS = ("Pros", "Solutions", "Experts", "Group", "Team", "Masters", "Specialists", "Works", "Company")
FREEMAIL = (
    ("gmail.com", 0.52), ("yahoo.com", 0.14), ("hotmail.com", 0.07), ("outlook.com", 0.06), ("aol.com", 0.04),
    ("icloud.com", 0.05), ("comcast.net", 0.04), ("att.net", 0.03), ("sbcglobal.net", 0.02), ("msn.com", 0.03),
)
FREEMAIL_DOMAINS = tuple(domain for domain, _ in FREEMAIL)
FREEMAIL_CUM = tuple(np.cumsum([share for _, share in FREEMAIL]).tolist())
# Misspelled mail domains people type; none of them has an MX record in the sandbox.
TYPO_DOMAINS = {
    "gmail.com": ("gmial.com", "gmail.co", "gmal.com", "gnail.com"),
    "yahoo.com": ("yaho.com", "yahooo.com", "yahoo.co"),
    "hotmail.com": ("hotmial.com", "hotmail.co"),
    "outlook.com": ("outlok.com",),
    "icloud.com": ("icoud.com",),
}
