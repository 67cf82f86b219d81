"""The 16 contract specialties and everything the world attaches to them.

Names, registry codes and directory wording differ per specialty on purpose: discovery has to map a CSLB class
code, a WA specialty description or a free-text directory line back to the contract's enum.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Specialty:
    slug: str
    name_words: tuple[str, ...]  # trade part of business names
    directory_text: tuple[str, ...]  # free-text service descriptions on directory cards
    project_titles: tuple[str, ...]
    share: float  # share of contractor businesses and of homeowner demand
    median_value_cents: int  # typical paid project value (before the regional cost index)
    license_rate: float  # share of businesses holding a contractor license
    cslb_class: str | None  # California CSLB classification code
    wa_code: tuple[str, str]  # WA L&I (type code, specialty code) where the type is GC or SC
    wa_desc: str
    tx_license_type: str | None  # Texas TDLR license type (TDLR only licenses a few trades)
    season_peak_month: int  # month of peak demand (1-12)
    seasonality: float  # amplitude of the yearly demand cycle


SPECIALTIES: tuple[Specialty, ...] = (
    Specialty(
        "general_contractor",
        ("Construction", "Builders", "General Contractors", "Contracting", "Building Co", "Construction Group"),
        ("General contracting", "New construction & additions", "Residential building", "ADUs and additions"),
        ("Room addition", "Build a detached garage", "Home addition permit and build", "ADU construction"),
        0.09, 4_500_000, 0.95, "B", ("GC", "GENERAL"), "GENERAL", None, 5, 0.15,
    ),
    Specialty(
        "plumbing",
        ("Plumbing", "Plumbing & Drain", "Plumbing Services", "Rooter", "Plumbing & Heating", "Plumbers"),
        ("Plumbing repair", "Drain cleaning", "Water heaters", "Repiping & leak detection", "Sewer lines"),
        ("Replace water heater", "Fix leaking pipe", "Clear main sewer line", "Repipe bathroom", "Install sump pump"),
        0.11, 180_000, 0.92, "C36", ("SC", "PLUMBG"), "PLUMBING", None, 1, 0.10,
    ),
    Specialty(
        "electrical",
        ("Electric", "Electrical Services", "Electrical Contractors", "Electric Co", "Power & Lighting"),
        ("Electrical repair", "Panel upgrades", "Lighting installation", "EV charger installation", "Rewiring"),
        ("Upgrade electrical panel", "Install EV charger", "Add outlets in garage", "Rewire old house"),
        0.10, 220_000, 0.93, "C10", ("SC", "ELECTR"), "ELECTRICAL", "Electrical Contractor", 3, 0.08,
    ),
    Specialty(
        "hvac",
        ("Heating & Air", "Heating & Cooling", "HVAC", "Air Conditioning", "Comfort Systems", "Mechanical"),
        ("AC repair & installation", "Furnace service", "Heat pumps", "Ductwork", "Heating and cooling"),
        ("Replace AC unit", "Furnace not heating", "Install heat pump", "Duct cleaning and repair"),
        0.09, 650_000, 0.92, "C20", ("SC", "HTVAC"), "HEATING VENTILATION AND AIR CONDITIONING",
        "Air Conditioning and Refrigeration Contractor", 7, 0.35,
    ),
    Specialty(
        "roofing",
        ("Roofing", "Roofing & Gutters", "Roof Systems", "Roofing Contractors", "Roofing & Exteriors"),
        ("Roof repair", "Roof replacement", "Shingle and tile roofs", "Gutters", "Storm damage repair"),
        ("Replace asphalt shingle roof", "Repair roof leak", "New gutters and downspouts", "Tile roof repair"),
        0.07, 1_200_000, 0.90, "C39", ("SC", "ROOFG"), "ROOFING", None, 6, 0.30,
    ),
    Specialty(
        "painting",
        ("Painting", "Painters", "Painting & Decorating", "Coatings", "Paint Pros"),
        ("Interior painting", "Exterior painting", "Cabinet refinishing", "Drywall texture and paint"),
        ("Paint house exterior", "Interior repaint 3 bedrooms", "Refinish kitchen cabinets", "Deck staining"),
        0.08, 350_000, 0.70, "C33", ("SC", "PAINTG"), "PAINTING", None, 5, 0.25,
    ),
    Specialty(
        "flooring",
        ("Flooring", "Floors", "Floor Covering", "Hardwood Floors", "Tile & Stone", "Carpet & Floors"),
        ("Hardwood floors", "Tile installation", "Laminate & vinyl plank", "Carpet", "Floor refinishing"),
        ("Install hardwood floors", "Replace carpet with LVP", "Tile bathroom floor", "Refinish oak floors"),
        0.06, 480_000, 0.75, "C15", ("SC", "FLOORG"), "FLOORING", None, 3, 0.10,
    ),
    Specialty(
        "carpentry",
        ("Carpentry", "Woodworks", "Cabinets & Millwork", "Custom Carpentry", "Finish Carpentry"),
        ("Finish carpentry", "Custom cabinets", "Decks and pergolas", "Trim and molding", "Framing"),
        ("Build a deck", "Install crown molding", "Custom built-in shelves", "Replace interior doors"),
        0.05, 420_000, 0.70, "C6", ("SC", "CARPTR"), "CARPENTRY", None, 5, 0.20,
    ),
    Specialty(
        "landscaping",
        ("Landscaping", "Landscape", "Lawn & Garden", "Outdoor Living", "Tree & Lawn", "Landscape Design"),
        ("Landscape design", "Lawn care", "Irrigation", "Hardscaping and pavers", "Tree trimming"),
        ("Redesign front yard", "Install drip irrigation", "Paver patio", "Remove two trees"),
        0.08, 550_000, 0.55, "C27", ("SC", "LANDSC"), "LANDSCAPING", None, 5, 0.45,
    ),
    Specialty(
        "concrete",
        ("Concrete", "Concrete & Masonry", "Paving", "Foundations", "Concrete Works"),
        ("Concrete driveways", "Foundations", "Stamped concrete", "Masonry and block walls", "Slabs"),
        ("Pour new driveway", "Repair cracked foundation", "Stamped concrete patio", "Block retaining wall"),
        0.04, 750_000, 0.85, "C8", ("SC", "CONCRT"), "CONCRETE", None, 6, 0.30,
    ),
    Specialty(
        "drywall",
        ("Drywall", "Drywall & Plaster", "Interiors", "Wall Systems", "Drywall Finishing"),
        ("Drywall installation", "Drywall repair", "Texture matching", "Plastering", "Acoustic ceilings"),
        ("Patch drywall after leak", "Hang drywall in garage", "Remove popcorn ceiling", "Texture match walls"),
        0.04, 150_000, 0.70, "C9", ("SC", "DRYWL"), "DRYWALL", None, 2, 0.05,
    ),
    Specialty(
        "handyman",
        ("Handyman", "Handyman Services", "Home Repair", "Property Maintenance", "Fix-It", "Home Services"),
        ("Handyman services", "Small home repairs", "Furniture assembly", "Honey-do lists", "TV mounting"),
        ("Mount TV and shelves", "Fix sticking doors", "Small repairs list", "Replace garbage disposal"),
        0.07, 45_000, 0.30, "B", ("SC", "HANDYM"), "GENERAL SPECIALTY", None, 4, 0.10,
    ),
    Specialty(
        "remodeling",
        ("Remodeling", "Home Improvement", "Kitchen & Bath", "Renovations", "Design Build", "Remodel"),
        ("Kitchen remodeling", "Bathroom remodeling", "Whole-home renovation", "Design-build"),
        ("Full kitchen remodel", "Master bath remodel", "Basement finish", "Open up wall between rooms"),
        0.06, 3_800_000, 0.90, "B", ("GC", "GENERAL"), "GENERAL", None, 3, 0.15,
    ),
    Specialty(
        "solar",
        ("Solar", "Solar Energy", "Solar Solutions", "Sun Power Systems", "Renewable Energy", "Solar & Electric"),
        ("Solar panel installation", "Battery storage", "Solar repair", "Net metering design"),
        ("Install 8kW rooftop solar", "Add battery backup", "Solar panel repair", "Solar carport"),
        0.03, 2_400_000, 0.95, "C46", ("SC", "SOLAR"), "SOLAR", "Electrical Contractor", 4, 0.20,
    ),
    Specialty(
        "pest_control",
        ("Pest Control", "Exterminating", "Termite & Pest", "Pest Solutions", "Pest Management"),
        ("Pest control", "Termite treatment", "Rodent exclusion", "Bed bug treatment", "Mosquito control"),
        ("Termite inspection and treatment", "Get rid of rodents", "Quarterly pest service", "Ant infestation"),
        0.02, 60_000, 0.10, None, ("SC", "GENSPC"), "GENERAL SPECIALTY", None, 7, 0.40,
    ),
    Specialty(
        "cleaning",
        ("Cleaning", "Cleaning Services", "Janitorial", "Maids", "Home Cleaning", "Cleaning Co"),
        ("House cleaning", "Move-out cleaning", "Deep cleaning", "Post-construction cleanup", "Window cleaning"),
        ("Move-out deep clean", "Post-construction cleanup", "Biweekly house cleaning", "Window washing"),
        0.03, 30_000, 0.05, None, ("SC", "GENSPC"), "GENERAL SPECIALTY", None, 4, 0.15,
    ),
)

SPECIALTY_SLUGS: tuple[str, ...] = tuple(s.slug for s in SPECIALTIES)
BY_SLUG: dict[str, Specialty] = {s.slug: s for s in SPECIALTIES}

# Specialties that tend to come together in one business (second and third specialties are drawn from these).
RELATED: dict[str, tuple[str, ...]] = {
    "general_contractor": ("remodeling", "carpentry", "concrete", "drywall"),
    "plumbing": ("hvac", "handyman"),
    "electrical": ("solar", "hvac"),
    "hvac": ("plumbing", "electrical"),
    "roofing": ("carpentry", "general_contractor", "solar"),
    "painting": ("drywall", "handyman"),
    "flooring": ("carpentry", "remodeling"),
    "carpentry": ("remodeling", "handyman", "flooring"),
    "landscaping": ("concrete", "cleaning"),
    "concrete": ("landscaping", "general_contractor"),
    "drywall": ("painting", "remodeling"),
    "handyman": ("painting", "carpentry", "drywall"),
    "remodeling": ("general_contractor", "flooring", "carpentry"),
    "solar": ("electrical", "roofing"),
    "pest_control": ("cleaning", "landscaping"),
    "cleaning": ("handyman", "pest_control"),
}
