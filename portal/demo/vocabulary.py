"""What the demo's synthetic people, places and cases are made of: names, streets, courts,
crime kinds and how often each comes (portal.demo.seed draws from these). No real people."""

from __future__ import annotations

from dataclasses import dataclass


def _words(text: str, separator: str | None = None) -> tuple[str, ...]:
    return tuple(text.split(separator))


GIVEN_NAMES = _words(
    "Aaliyah Abdul Adam Adebayo Agnieszka Aisha Alan Alex Alice Amara Amelia Amir Ana Andrew "
    "Angela Anil Ann Anthony Arjun Ava Ayesha Barbara Ben Bethan Bilal Blessing Brian Callum "
    "Carl Carmen Caroline Charlotte Chidi Chloe Chris Claire Connor Craig Daniel Darius Dawn "
    "Deborah Declan Deepa Dylan Eilidh Elena Eleanor Elif Ellie Emeka Emily Emma Eric Erin "
    "Ewa Fatima Fiona Florin Frances Gareth Gemma George Grace Graham Hannah Harry Hassan Helen "
    "Huda Ian Ifeoma Imran Ioana Isaac Isla Jack Jacob James Jamal Jane Jasmine Jason Jennifer "
    "Joanne John Joseph Joshua Julie Kai Karen Kate Kayode Keith Kerry Kevin Kiran Kofi Laura "
    "Leah Lee Leon Liam Lily Linh Lisa Louise Lucy Luke Maciej Maja Malik Margaret Maria Mark "
    "Marta Mary Matthew Megan Mehmet Mia Michael Mihai Mohammed Nadia Naomi Natalia Neil Nia "
    "Nicola Noah Nuala Oliver Olivia Oluwaseun Omar Owen Patricia Paul Peter Pooja Priya Rachel "
    "Rahul Rebecca Rhys Richard Robert Rosa Ruth Ryan Saanvi Samuel Sandra Sara Sean Shabnam "
    "Sharon Simon Siobhan Sofia Sophie Stephen Steven Susan Tanvir Thanh Thomas Tomasz Tracey "
    "Tunde Uchenna Vanessa Victoria Vikram Wei William Yasmin Yusuf Zainab Zara Zoe"
)

SURNAMES = _words(
    "Abbott Adams Adeyemi Ahmed Ali Allen Anderson Armstrong Atkinson Bailey Baker Banks Barnes "
    "Bell Bennett Bhatt Bird Bishop Black Boateng Booth Bowen Brennan Brooks Brown Burke Butler "
    "Campbell Carter Chambers Chapman Chen Clarke Cole Collins Cook Cooper Cox Davies Dawson "
    "Dixon Doherty Doyle Duncan Edwards Ellis Evans Farah Fisher Fleming Fletcher Foster Fox "
    "Francis Gallagher Garcia Gibson Gill Gordon Graham Grant Gray Green Griffiths Hall Hamilton "
    "Harris Harrison Hart Hayes Hill Holmes Hossain Howard Hughes Hunt Hussain Iqbal Jackson "
    "James Jenkins Johnson Jones Kaur Kelly Kennedy Khan King Knight Kowalski Lambert Lee Lewis "
    "Lloyd Lynch Malik Marshall Martin Mason Matthews McCarthy Mensah Miah Miller Mills Mitchell "
    "Moore Morgan Morris Murphy Murray Nguyen Nowak Obi O’Brien Okafor Okoro Oliver Owen Palmer "
    "Parker Patel Pearce Perry Phillips Popescu Powell Price Quinn Rahman Reid Reynolds Richards "
    "Roberts Robinson Rogers Rose Ross Russell Ryan Saunders Scott Shah Sharma Shaw Simpson "
    "Singh Smith Spencer Stewart Sullivan Taylor Thomas Thompson Tran Turner Walker Walsh Ward "
    "Watson Webb Wells White Williams Wilson Wood Wright Yilmaz Young"
)

STREETS = _words(
    "High Street, Station Road, Church Lane, Victoria Road, Green Lane, Manor Road, Park Avenue, "
    "Queens Road, Mill Lane, Kings Road, Grange Road, London Road, Springfield Road, "
    "Albert Street, Orchard Close, Windsor Gardens, Chapel Street, Elm Grove, Newton Way, "
    "Riverside Walk",
    ", ",
)

TOWNS = (
    ("London", "N"),
    ("London", "E"),
    ("Enfield", "EN"),
    ("Harrow", "HA"),
    ("Luton", "LU"),
    ("Leeds", "LS"),
    ("Manchester", "M"),
    ("Birmingham", "B"),
    ("Bristol", "BS"),
    ("Cardiff", "CF"),
    ("Liverpool", "L"),
    ("Newcastle upon Tyne", "NE"),
    ("Reading", "RG"),
    ("Southampton", "SO"),
    ("Nottingham", "NG"),
    ("Norwich", "NR"),
)

LANGUAGES_TRAFFICKING = (
    "Albanian",
    "Vietnamese",
    "Romanian",
    "Polish",
    "Tigrinya",
    "Arabic",
    "Kurdish Sorani",
    "Amharic",
    "Bulgarian",
)
LANGUAGES_OTHER = ("Polish", "Urdu", "Punjabi", "Bengali", "Portuguese", "Somali", "Turkish")
ADJUSTMENTS = (
    "Large print letters",
    "Hearing loss: prefers email or text",
    "Needs breaks every 30 minutes",
    "Dyslexia: explain letters by phone first",
    "Uses a wheelchair: step-free access",
)
BUSINESSES = ("Building Supplies", "Dental Practice", "Cafe", "Motors", "Lettings")
SAFE_TIMES = ("Weekdays 10:00 to 14:00", "After 18:00 only", "Mornings only", "Not at weekends")

COURTS: dict[str, tuple[str, ...]] = {
    "london-north": (
        "Wood Green Crown Court",
        "Snaresbrook Crown Court",
        "Central Criminal Court",
        "Highbury Corner Magistrates' Court",
    ),
    "london-south": ("Southwark Crown Court", "Inner London Crown Court", "Croydon Crown Court"),
    "yorkshire-humberside": ("Leeds Crown Court", "Sheffield Crown Court", "Hull Crown Court"),
    "north-west": ("Manchester Crown Court (Minshull Street)", "Preston Crown Court"),
    "west-midlands": ("Birmingham Crown Court", "Wolverhampton Crown Court"),
    "south-west": ("Bristol Crown Court", "Exeter Crown Court"),
    "cymru-wales": ("Cardiff Crown Court", "Swansea Crown Court"),
    "thames-chiltern": ("Reading Crown Court", "Luton Crown Court"),
    "east-of-england": ("Chelmsford Crown Court", "Norwich Crown Court"),
}
FORCE_CODES = {  # two-digit police force codes used in URNs (illustrative)
    "london-north": 1,
    "london-south": 1,
    "yorkshire-humberside": 13,
    "north-west": 6,
    "west-midlands": 20,
    "south-west": 52,
    "cymru-wales": 62,
    "thames-chiltern": 43,
    "east-of-england": 42,
}


@dataclass(frozen=True, slots=True)
class Kind:
    """One type of case: offences, where it usually sits and who is in it."""

    category: str
    offences: tuple[str, ...]
    units: tuple[str, ...]
    weight: float  # share of the people
    child_share: float  # victims under 18 at the offence
    witness_share: float


KINDS: dict[str, Kind] = {
    "trafficking": Kind("trafficking", ("MSA2015-S2", "MSA2015-S1"), ("ccu",), 2.0, 0.25, 0.2),
    "cse": Kind(
        "cse", ("SOA2003-S48", "SOA2003-S49", "SOA2003-S9"), ("rasso", "ccu"), 1.0, 1.0, 0.3
    ),
    "fraud": Kind("fraud", ("FA2006-S2", "FA2006-S4"), ("seocid", "ccu"), 3.0, 0.0, 0.15),
    "drugs": Kind("drugs", ("MDA1971-S4",), ("ccu", "crown-court"), 0.6, 0.3, 0.5),
    "firearms": Kind("firearms", ("FA1968-S5",), ("ccu",), 0.5, 0.0, 0.7),
    "immigration": Kind("immigration", ("IA1971-S25",), ("ccu", "seocid"), 1.5, 0.15, 0.3),
    "cyber": Kind("cyber", ("CMA1990-S1",), ("seocid",), 1.2, 0.0, 0.2),
    "money_laundering": Kind("money_laundering", ("POCA2002-S327",), ("seocid",), 0.6, 0.0, 0.6),
    "sexual": Kind("sexual", ("SOA2003-S1", "SOA2003-S3"), ("rasso",), 0.8, 0.1, 0.4),
    "domestic_abuse": Kind(
        "domestic_abuse",
        ("SCA2015-S76", "PHA1997-S4A"),
        ("magistrates", "crown-court"),
        0.6,
        0.0,
        0.3,
    ),
    "violence": Kind("violence", ("OAPA1861-S18",), ("crown-court",), 0.6, 0.1, 0.6),
}
# The first cases cover every kind, headline categories first; then by these weights.
FIRST = (
    "trafficking",
    "cse",
    "fraud",
    "drugs",
    "firearms",
    "immigration",
    "cyber",
    "money_laundering",
    "sexual",
    "domestic_abuse",
    "violence",
)
LATER_WEIGHTS = {
    "trafficking": 4,
    "cse": 3,
    "fraud": 4,
    "drugs": 2,
    "firearms": 1,
    "immigration": 2,
    "cyber": 1,
    "money_laundering": 1,
    "sexual": 2,
    "domestic_abuse": 2,
    "violence": 1,
}
OTHER_AREAS = tuple(a for a in COURTS if a != "london-north")
