"""Where the synthetic world lives: real US cities with their real area codes, counties and ZIP prefixes.

Discovery and enrichment normalise phones by area code, addresses by ZIP and registry rows by county, so the
places have to be real even though every business in them is invented. `weight` is a rough population weight
that spreads businesses and projects; `cost` is a regional price index applied to project values.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class City:
    name: str
    state: str
    county: str
    area_codes: tuple[str, ...]
    zip_prefix: str  # first three digits of the city's ZIP codes
    weight: float
    cost: float

    @property
    def slug(self) -> str:
        return slugify(self.name)

    @property
    def region(self) -> str:
        return f"us-{self.state.lower()}-{self.slug}"


def slugify(text: str) -> str:
    """`St. Louis` → `st-louis`: the city part of a region slug and of directory URLs."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _c(name: str, state: str, county: str, codes: str, zip_prefix: str, weight: float, cost: float) -> City:
    return City(name, state, county, tuple(codes.split()), zip_prefix, weight, cost)


CITIES: tuple[City, ...] = (
    _c("Los Angeles", "CA", "Los Angeles", "213 323 310 818", "900", 10.0, 1.35),
    _c("San Diego", "CA", "San Diego", "619 858", "921", 5.0, 1.30),
    _c("San Jose", "CA", "Santa Clara", "408 669", "951", 4.0, 1.45),
    _c("San Francisco", "CA", "San Francisco", "415 628", "941", 3.5, 1.55),
    _c("Fresno", "CA", "Fresno", "559", "937", 2.0, 1.05),
    _c("Sacramento", "CA", "Sacramento", "916 279", "958", 2.5, 1.15),
    _c("Oakland", "CA", "Alameda", "510 341", "946", 2.0, 1.40),
    _c("Long Beach", "CA", "Los Angeles", "562", "908", 2.0, 1.30),
    _c("Bakersfield", "CA", "Kern", "661", "933", 1.5, 1.00),
    _c("Riverside", "CA", "Riverside", "951", "925", 1.5, 1.10),
    _c("Anaheim", "CA", "Orange", "714 657", "928", 1.5, 1.25),
    _c("Houston", "TX", "Harris", "713 281 832 346", "770", 8.0, 0.95),
    _c("Dallas", "TX", "Dallas", "214 469 972", "752", 5.0, 1.00),
    _c("Austin", "TX", "Travis", "512 737", "787", 4.0, 1.10),
    _c("San Antonio", "TX", "Bexar", "210 726", "782", 5.0, 0.90),
    _c("Fort Worth", "TX", "Tarrant", "817 682", "761", 3.0, 0.95),
    _c("El Paso", "TX", "El Paso", "915", "799", 2.0, 0.85),
    _c("Plano", "TX", "Collin", "972 469", "750", 1.0, 1.05),
    _c("Seattle", "WA", "King", "206", "981", 4.0, 1.40),
    _c("Spokane", "WA", "Spokane", "509", "992", 1.5, 0.95),
    _c("Tacoma", "WA", "Pierce", "253", "984", 1.5, 1.10),
    _c("Bellevue", "WA", "King", "425", "980", 1.0, 1.40),
    _c("Vancouver", "WA", "Clark", "360 564", "986", 1.0, 1.05),
    _c("Phoenix", "AZ", "Maricopa", "602 480 623", "850", 6.0, 1.00),
    _c("Tucson", "AZ", "Pima", "520", "857", 2.0, 0.90),
    _c("Las Vegas", "NV", "Clark", "702 725", "891", 3.5, 1.00),
    _c("Reno", "NV", "Washoe", "775", "895", 1.0, 1.05),
    _c("Denver", "CO", "Denver", "303 720", "802", 3.5, 1.15),
    _c("Colorado Springs", "CO", "El Paso", "719", "809", 2.0, 1.00),
    _c("Portland", "OR", "Multnomah", "503 971", "972", 3.0, 1.15),
    _c("Salt Lake City", "UT", "Salt Lake", "801 385", "841", 1.5, 1.00),
    _c("Albuquerque", "NM", "Bernalillo", "505", "871", 2.0, 0.90),
    _c("Oklahoma City", "OK", "Oklahoma", "405", "731", 2.5, 0.85),
    _c("Miami", "FL", "Miami-Dade", "305 786", "331", 4.0, 1.15),
    _c("Tampa", "FL", "Hillsborough", "813 656", "336", 3.0, 1.00),
    _c("Orlando", "FL", "Orange", "407 321", "328", 3.0, 1.00),
    _c("Jacksonville", "FL", "Duval", "904", "322", 3.0, 0.95),
    _c("Atlanta", "GA", "Fulton", "404 678 470", "303", 4.5, 1.05),
    _c("Charlotte", "NC", "Mecklenburg", "704 980", "282", 3.5, 1.00),
    _c("Raleigh", "NC", "Wake", "919 984", "276", 2.5, 1.00),
    _c("Nashville", "TN", "Davidson", "615 629", "372", 3.0, 1.00),
    _c("Memphis", "TN", "Shelby", "901", "381", 2.0, 0.85),
    _c("Chicago", "IL", "Cook", "312 773 872", "606", 9.0, 1.15),
    _c("Indianapolis", "IN", "Marion", "317 463", "462", 3.0, 0.90),
    _c("Columbus", "OH", "Franklin", "614 380", "432", 3.0, 0.90),
    _c("Cleveland", "OH", "Cuyahoga", "216", "441", 2.0, 0.85),
    _c("Detroit", "MI", "Wayne", "313", "482", 2.5, 0.85),
    _c("Milwaukee", "WI", "Milwaukee", "414", "532", 2.0, 0.90),
    _c("Minneapolis", "MN", "Hennepin", "612", "554", 2.5, 1.05),
    _c("Kansas City", "MO", "Jackson", "816", "641", 2.0, 0.90),
    _c("St. Louis", "MO", "St. Louis City", "314", "631", 2.0, 0.90),
    _c("New Orleans", "LA", "Orleans", "504", "701", 1.5, 0.95),
    _c("New York", "NY", "New York", "212 646 332", "100", 10.0, 1.60),
    _c("Buffalo", "NY", "Erie", "716", "142", 1.5, 0.90),
    _c("Philadelphia", "PA", "Philadelphia", "215 267 445", "191", 5.0, 1.10),
    _c("Pittsburgh", "PA", "Allegheny", "412 878", "152", 2.0, 0.95),
    _c("Boston", "MA", "Suffolk", "617 857", "021", 3.5, 1.45),
    _c("Baltimore", "MD", "Baltimore City", "410 443", "212", 2.5, 1.00),
    _c("Virginia Beach", "VA", "Virginia Beach", "757", "234", 2.0, 1.00),
)

REGISTRY_STATES = ("CA", "WA", "TX")  # states whose public license files the sandbox writes

# Per-state words used in business names ("Lone Star Roofing", "Cascade Plumbing").
STATE_WORDS: dict[str, tuple[str, ...]] = {
    "CA": ("Pacific", "Golden State", "Coastal", "Sierra", "West Coast", "SoCal", "NorCal"),
    "TX": ("Lone Star", "Texan", "Gulf Coast", "Bluebonnet", "Alamo"),
    "WA": ("Evergreen", "Cascade", "Puget Sound", "Rainier", "Northwest"),
    "AZ": ("Desert", "Sonoran", "Saguaro", "Copper State"),
    "NV": ("Silver State", "High Desert", "Sierra"),
    "CO": ("Rocky Mountain", "Front Range", "Mile High"),
    "OR": ("Cascade", "Northwest", "Willamette"),
    "UT": ("Wasatch", "Beehive", "Mountain West"),
    "NM": ("Land of Enchantment", "Rio Grande", "Mesa"),
    "OK": ("Sooner", "Red Dirt", "Prairie"),
    "FL": ("Sunshine", "Gulf Coast", "Coastal", "Palm", "Suncoast"),
    "GA": ("Peach State", "Southern", "Piedmont"),
    "NC": ("Carolina", "Tar Heel", "Piedmont"),
    "TN": ("Volunteer", "Music City", "Smoky Mountain"),
    "IL": ("Prairie State", "Lakeshore", "Midwest"),
    "IN": ("Hoosier", "Crossroads", "Midwest"),
    "OH": ("Buckeye", "Lake Erie", "Heartland"),
    "MI": ("Great Lakes", "Motor City", "Wolverine"),
    "WI": ("Badger", "Lakeshore", "North Shore"),
    "MN": ("North Star", "Twin Cities", "Lakes Country"),
    "MO": ("Gateway", "Show Me", "Heartland"),
    "LA": ("Bayou", "Crescent City", "Delta"),
    "NY": ("Empire", "Metro", "Five Borough"),
    "PA": ("Keystone", "Liberty", "Three Rivers"),
    "MA": ("Bay State", "Minuteman", "New England"),
    "MD": ("Chesapeake", "Old Line", "Harbor"),
    "VA": ("Old Dominion", "Tidewater", "Coastal"),
}

STREET_NAMES = (
    "Main", "Oak", "Maple", "Pine", "Cedar", "Elm", "Park", "Washington", "Lake", "Hill", "Lincoln", "Jefferson",
    "Madison", "Franklin", "Jackson", "Sunset", "Highland", "Ridge", "River", "Meadow", "Spring", "Forest",
    "Willow", "Walnut", "Chestnut", "Cherry", "Valley", "Church", "Mill", "Center", "Market", "Broadway",
    "Grand", "Airport", "Industrial", "Commerce", "Enterprise", "Orchard", "Vista", "Canyon", "Mesa", "Harbor",
    "Bay", "Mission", "Garfield", "Adams", "Monroe", "Wilson", "Kennedy", "1st", "2nd", "3rd", "4th", "5th",
    "6th", "7th", "8th", "9th", "10th", "12th", "15th", "Central", "College", "University", "Magnolia", "Laurel",
)
STREET_SUFFIXES = (
    ("St", "Street"), ("Ave", "Avenue"), ("Blvd", "Boulevard"), ("Dr", "Drive"), ("Rd", "Road"), ("Ln", "Lane"),
    ("Way", "Way"), ("Ct", "Court"), ("Pl", "Place"), ("Pkwy", "Parkway"),
)
