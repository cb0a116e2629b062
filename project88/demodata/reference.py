"""Built-in reference data for the synthetic production dataset (no Faker).

Everything here is fictional or public-domain geography: partner names are
invented, e-mail addresses use the reserved ``example.com``/``example.org``
domains and telephone numbers the fictional ``555-0100``-``555-0199`` block.
No string here may contain a tab, newline, carriage return or backslash (the
COPY text format would need escaping); ``_check_clean`` enforces it on import.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

REFERENCE_DATE = dt.date(2026, 11, 25)  # "today" for statuses: the data never drifts
FIRST_YEAR, LAST_YEAR = 2019, 2027
HORIZON = dt.date(2027, 6, 30)  # nothing is scheduled after this


@dataclass(frozen=True)
class State:
    code: str
    time_zone: str
    area_codes: tuple[str, ...]
    mean_temp_c: float  # annual mean
    temp_swing_c: float  # half the summer-winter difference
    cities: tuple[str, ...]


STATES: tuple[State, ...] = (
    State("MA", "America/New_York", ("617", "508", "781", "413"), 10.0, 12.5,
          ("Boston", "Cambridge", "Worcester", "Springfield", "Lowell", "Newton", "Quincy",
           "Framingham", "Salem", "Plymouth")),
    State("NH", "America/New_York", ("603",), 7.5, 13.0,
          ("Manchester", "Nashua", "Concord", "Portsmouth", "Keene", "Dover")),
    State("RI", "America/New_York", ("401",), 10.5, 11.5,
          ("Providence", "Newport", "Warwick", "Cranston", "Narragansett")),
    State("CT", "America/New_York", ("860", "203"), 10.0, 12.5,
          ("Hartford", "New Haven", "Stamford", "Bridgeport", "Norwalk", "Mystic", "Glastonbury",
           "West Hartford", "Danbury", "Middletown")),
    State("NY", "America/New_York", ("212", "518", "585", "716", "914"), 9.5, 12.5,
          ("Albany", "Rochester", "Buffalo", "Syracuse", "White Plains", "Saratoga Springs",
           "Ithaca", "Poughkeepsie")),
    State("PA", "America/New_York", ("215", "412", "717", "610"), 11.0, 12.0,
          ("Philadelphia", "Pittsburgh", "Harrisburg", "Lancaster", "Allentown", "Erie",
           "State College", "Hershey")),
    State("NJ", "America/New_York", ("201", "609", "732", "973"), 12.0, 12.0,
          ("Newark", "Princeton", "Atlantic City", "Hoboken", "Morristown", "Asbury Park",
           "Cape May")),
    State("DE", "America/New_York", ("302",), 13.0, 11.5,
          ("Wilmington", "Dover", "Rehoboth Beach", "Newark", "Lewes")),
    State("MD", "America/New_York", ("410", "301"), 13.0, 11.5,
          ("Baltimore", "Annapolis", "Frederick", "Ocean City", "Columbia", "Rockville")),
    State("VA", "America/New_York", ("757", "804", "703", "540"), 14.0, 11.0,
          ("Virginia Beach", "Norfolk", "Richmond", "Arlington", "Charlottesville",
           "Williamsburg", "Chesapeake", "Roanoke", "Alexandria")),
    State("NC", "America/New_York", ("919", "704", "828", "910"), 15.5, 10.5,
          ("Raleigh", "Charlotte", "Asheville", "Durham", "Wilmington", "Greensboro",
           "Outer Banks")),
    State("SC", "America/New_York", ("843", "803", "864"), 17.5, 9.5,
          ("Charleston", "Columbia", "Greenville", "Myrtle Beach", "Hilton Head Island")),
    State("GA", "America/New_York", ("404", "706", "912", "770"), 17.0, 9.5,
          ("Atlanta", "Savannah", "Athens", "Augusta", "Macon", "Marietta", "Decatur")),
    State("FL", "America/New_York", ("305", "407", "813", "904", "850"), 22.0, 6.0,
          ("Miami", "Orlando", "Tampa", "Jacksonville", "Tallahassee", "St. Petersburg",
           "Gainesville", "Sarasota", "Fort Lauderdale")),
    State("TN", "America/Chicago", ("615", "901", "865", "423"), 15.0, 10.5,
          ("Nashville", "Memphis", "Knoxville", "Chattanooga", "Franklin", "Murfreesboro")),
    State("MI", "America/Detroit", ("616", "313", "734", "517", "231"), 8.5, 13.0,
          ("Grand Rapids", "Detroit", "Ann Arbor", "Lansing", "Traverse City", "Kalamazoo",
           "Holland", "Marquette")),
    State("OH", "America/New_York", ("614", "216", "513", "419"), 11.0, 12.5,
          ("Columbus", "Cleveland", "Cincinnati", "Toledo", "Dayton", "Akron", "Sandusky")),
    State("IL", "America/Chicago", ("312", "773", "630", "217", "618"), 10.5, 13.5,
          ("Chicago", "Naperville", "Evanston", "Springfield", "Peoria", "Rockford", "Alton",
           "Champaign", "Oak Park", "Edwardsville")),
    State("WI", "America/Chicago", ("414", "608", "920"), 7.5, 14.0,
          ("Milwaukee", "Madison", "Green Bay", "Kenosha", "Eau Claire", "La Crosse")),
    State("IN", "America/Indiana/Indianapolis", ("317", "812", "260", "574"), 11.5, 12.5,
          ("Indianapolis", "Fort Wayne", "Bloomington", "South Bend", "Carmel", "Evansville")),
    State("MO", "America/Chicago", ("314", "636", "816", "573", "417"), 13.0, 13.0,
          ("St. Louis", "St. Charles", "Kansas City", "Hannibal", "Columbia", "Springfield",
           "Cape Girardeau", "Chesterfield", "Jefferson City")),
    State("MN", "America/Chicago", ("612", "651", "218"), 6.5, 15.5,
          ("Minneapolis", "St. Paul", "Duluth", "Rochester", "Bloomington")),
    State("TX", "America/Chicago", ("512", "214", "713", "210", "817"), 20.0, 9.0,
          ("Austin", "Dallas", "Houston", "San Antonio", "Fort Worth", "El Paso", "Galveston",
           "Round Rock", "Waco", "Plano")),
    State("OK", "America/Chicago", ("405", "918"), 16.0, 11.0,
          ("Oklahoma City", "Tulsa", "Norman", "Edmond", "Stillwater")),
    State("CO", "America/Denver", ("303", "720", "719", "970"), 10.0, 11.5,
          ("Denver", "Boulder", "Colorado Springs", "Fort Collins", "Aspen", "Steamboat Springs",
           "Golden", "Durango")),
    State("UT", "America/Denver", ("801", "435"), 11.0, 13.0,
          ("Salt Lake City", "Park City", "Ogden", "Provo", "St. George", "Moab")),
    State("AZ", "America/Phoenix", ("602", "480", "520", "928"), 22.0, 10.0,
          ("Phoenix", "Tucson", "Scottsdale", "Tempe", "Flagstaff", "Sedona", "Mesa")),
    State("NV", "America/Los_Angeles", ("702", "775"), 19.5, 11.5,
          ("Las Vegas", "Reno", "Henderson", "Carson City", "Lake Tahoe")),
    State("NM", "America/Denver", ("505", "575"), 14.0, 10.5,
          ("Albuquerque", "Santa Fe", "Las Cruces", "Taos", "Rio Rancho")),
    State("CA", "America/Los_Angeles", ("619", "415", "213", "916", "408", "949"), 17.0, 5.0,
          ("San Diego", "San Francisco", "Los Angeles", "Sacramento", "San Jose", "Santa Barbara",
           "Long Beach", "Oakland", "Carlsbad", "Monterey", "Big Sur")),
    State("OR", "America/Los_Angeles", ("503", "541", "971"), 12.0, 8.0,
          ("Portland", "Eugene", "Bend", "Salem", "Hood River", "Corvallis", "Ashland")),
    State("WA", "America/Los_Angeles", ("206", "253", "509", "360"), 11.5, 8.0,
          ("Seattle", "Tacoma", "Spokane", "Bellingham", "Olympia", "Vancouver", "Redmond")),
)  # fmt: skip
STATE_BY_CODE = {s.code: s for s in STATES}


@dataclass(frozen=True)
class Abroad:
    country: str  # ISO 3166-1 alpha-2
    region: str | None  # province where the address form has one
    cities: tuple[str, ...]
    phone_prefix: str


ABROAD: tuple[Abroad, ...] = (
    Abroad("CA", "ON", ("Toronto", "Ottawa", "Hamilton"), "+1 416"),
    Abroad("CA", "QC", ("Montréal", "Québec"), "+1 514"),
    Abroad("CA", "BC", ("Vancouver", "Victoria"), "+1 604"),
    Abroad("GB", None, ("London", "Manchester", "Edinburgh", "Bristol"), "+44 20"),
    Abroad("IE", None, ("Dublin", "Cork", "Galway"), "+353 1"),
    Abroad("MX", None, ("Ciudad de México", "Monterrey", "Guadalajara"), "+52 55"),
    Abroad("DE", None, ("Berlin", "München", "Köln", "Hamburg"), "+49 30"),
    Abroad("JP", None, ("Tokyo", "Osaka", "Yokohama"), "+81 3"),
    Abroad("KE", None, ("Nairobi", "Eldoret", "Iten"), "+254 20"),
    Abroad("BR", None, ("São Paulo", "Rio de Janeiro", "Curitiba"), "+55 11"),
)


@dataclass(frozen=True)
class Partner:
    name: str
    slug: str
    city: str
    state: str
    region: tuple[str, ...]  # states where its events are
    weight: float  # share of the generic events
    providers: tuple[str, ...]  # provider slugs it is connected to


PARTNERS: tuple[Partner, ...] = (
    Partner("Big River Race Management", "big-river", "St. Louis", "MO", ("MO", "IL"), 1.0,
            ("chronotrack", "runsignup", "haku")),
    Partner("Bay State Race Services", "bay-state", "Boston", "MA", ("MA", "NH", "RI"), 1.3,
            ("chronotrack", "raceroster")),
    Partner("Windy City Timing", "windy-city", "Chicago", "IL", ("IL", "WI", "IN"), 1.4,
            ("chronotrack", "raceroster", "haku")),
    Partner("Tidewater Timing Co.", "tidewater", "Virginia Beach", "VA", ("VA", "NC", "MD"), 1.0,
            ("chronotrack", "runsignup")),
    Partner("Nutmeg Race Timing", "nutmeg", "Hartford", "CT", ("CT", "NY"), 0.8,
            ("chronotrack", "runsignup")),
    Partner("Lone Star Race Timing", "lone-star", "Austin", "TX", ("TX", "OK"), 1.5,
            ("chronotrack", "runsignup")),
    Partner("Rocky Mountain Chip Timing", "rocky-mountain", "Denver", "CO", ("CO", "UT"), 0.9,
            ("chronotrack", "raceroster", "haku")),
    Partner("Pacific Coast Race Timing", "pacific-coast", "San Diego", "CA", ("CA",), 1.4,
            ("chronotrack", "raceroster", "haku")),
    Partner("Peachtree Timing Group", "peachtree", "Atlanta", "GA", ("GA", "SC", "FL", "TN"),
            1.2, ("chronotrack", "runsignup")),
    Partner("Great Lakes Race Timing", "great-lakes", "Grand Rapids", "MI", ("MI", "OH", "MN"),
            1.0, ("chronotrack", "runsignup")),
    Partner("Cascade Timing Systems", "cascade", "Portland", "OR", ("OR", "WA"), 0.8,
            ("chronotrack", "raceroster")),
    Partner("Desert Sun Timing", "desert-sun", "Phoenix", "AZ", ("AZ", "NV", "NM"), 0.7,
            ("chronotrack", "runsignup")),
    Partner("Keystone Race Timing", "keystone", "Philadelphia", "PA", ("PA", "NJ", "DE"), 1.1,
            ("chronotrack", "runsignup")),
)  # fmt: skip
PARTNER_BY_SLUG = {p.slug: p for p in PARTNERS}

# (name, slug, api_base_url); ids are 1.. in this order.
PROVIDERS: tuple[tuple[str, str, str], ...] = (
    ("ChronoTrack", "chronotrack", "https://api.chronotrack.com/api"),
    ("RunSignUp", "runsignup", "https://runsignup.com/Rest"),
    ("Race Roster", "raceroster", "https://raceroster.com/api/v1"),
    ("Haku", "haku", "https://api.hakuapp.com/v1"),
)
PROVIDER_ID = {slug: i for i, (_name, slug, _url) in enumerate(PROVIDERS, start=1)}


@dataclass(frozen=True)
class Distance:
    """A race distance: its timing points and the shape of its field."""

    name: str  # the race's name: "Marathon", "Half Marathon", "5K"
    km: float
    km_text: str  # as stored (NUMERIC(7,3) rounds 21.0975 to 21.098)
    # Optional split points in the order they are added as a race gets more mats.
    splits: tuple[tuple[str, float], ...]
    typical_points: tuple[int, ...]  # timing points incl. Finish, drawn for a new race
    field_factor: float  # short races draw a slower, more casual field
    start: dt.time  # local start time
    fee: tuple[float, float]  # RunSignUp / Race Roster fee range, dollars
    dnf_rate: float
    dns_rate: float
    size_mu: float  # log of the typical field size at scale 1
    male_share: float


def format_km(value: float) -> str:
    """A distance as stored in NUMERIC(7,3) columns' input: up to four decimals."""
    return f"{value:.4f}".rstrip("0").rstrip(".")


MILE = 1.609344


def _d(
    name: str,
    km: float,
    splits: tuple[tuple[str, float], ...],
    typical: tuple[int, ...],
    field: float,
    start: str,
    fee: tuple[float, float],
    dnf: float,
    dns: float,
    size: float,
    male: float,
) -> Distance:
    return Distance(name, km, format_km(km), splits, typical, field, dt.time.fromisoformat(start),
                    fee, dnf, dns, size, male)  # fmt: skip


HALF_KM = 21.0975
MARATHON_KM = 42.195
DISTANCES: dict[str, Distance] = {
    d.name: d
    for d in (
        _d("1 Mile", MILE, (), (1,), 1.12, "09:30", (25, 30), 0.0, 0.02, 4.0, 0.45),
        _d("5K", 5.0, (("Mile 1", MILE), ("Mile 2", 2 * MILE), ("Mile 3", 3 * MILE)),
           (1, 1, 2, 2, 3), 1.12, "08:30", (25, 45), 0.004, 0.03, 4.5, 0.41),
        _d("4 Mile", 4 * MILE, (("Mile 2", 2 * MILE), ("Mile 1", MILE), ("Mile 3", 3 * MILE)),
           (1, 2, 2), 1.08, "08:00", (30, 45), 0.004, 0.03, 4.5, 0.45),
        _d("8K", 8.0, (("4K", 4.0), ("Mile 1", MILE), ("Mile 3", 3 * MILE)),
           (1, 2, 2), 1.07, "08:00", (35, 50), 0.005, 0.03, 4.4, 0.46),
        _d("10K", 10.0, (("5K", 5.0), ("Mile 2", 2 * MILE), ("8K", 8.0), ("Mile 4", 4 * MILE)),
           (2, 2, 3), 1.05, "08:00", (40, 60), 0.007, 0.03, 4.5, 0.47),
        _d("15K", 15.0, (("10K", 10.0), ("5K", 5.0), ("Mile 6", 6 * MILE)),
           (2, 3, 3), 1.02, "07:45", (50, 70), 0.01, 0.03, 4.3, 0.5),
        _d("10 Mile", 10 * MILE, (("10K", 10.0), ("5K", 5.0), ("15K", 15.0), ("Mile 5", 5 * MILE)),
           (3, 3, 4), 1.01, "07:30", (55, 85), 0.012, 0.03, 4.5, 0.5),
        _d("Half Marathon", HALF_KM,
           (("10K", 10.0), ("5K", 5.0), ("15K", 15.0), ("20K", 20.0), ("10 Mile", 10 * MILE)),
           (4, 4, 5, 5, 6), 1.0, "07:30", (85, 135), 0.015, 0.035, 5.6, 0.43),
        _d("Marathon", MARATHON_KM,
           (("Half", HALF_KM), ("10K", 10.0), ("30K", 30.0), ("5K", 5.0), ("20K", 20.0),
            ("35K", 35.0), ("15K", 15.0), ("25K", 25.0), ("40K", 40.0)),
           (6, 7, 8, 9, 10), 1.0, "07:00", (140, 225), 0.03, 0.04, 5.9, 0.57),
        _d("50K", 50.0,
           (("Marathon", MARATHON_KM), ("25K", 25.0), ("10K", 10.0), ("40K", 40.0), ("20K", 20.0),
            ("30K", 30.0)),
           (4, 5, 6), 1.08, "06:30", (100, 139), 0.06, 0.05, 4.2, 0.62),
    )
}  # fmt: skip


@dataclass(frozen=True)
class Template:
    """A generic event series: a name pattern, when it runs, what it offers."""

    pattern: str  # "{city} Turkey Trot"
    month: int
    rule: str  # "sat2" = second Saturday, "sun-1" = last Sunday, "thanksgiving", "fixed"
    day: int  # for "fixed"
    lineup: tuple[str, ...]  # distances, main race first
    days: int = 1  # multi-day festivals put the long races on the last day


TEMPLATES: tuple[Template, ...] = (
    Template("{city} Marathon", 10, "sun3", 0, ("Marathon", "Half Marathon", "5K"), 2),
    Template("{city} Spring Marathon", 4, "sun2", 0, ("Marathon", "Half Marathon")),
    Template("{city} Half Marathon", 5, "sun1", 0, ("Half Marathon", "10K", "5K")),
    Template("{city} Fall Half", 9, "sun4", 0, ("Half Marathon", "5K")),
    Template("{city} Turkey Trot", 11, "thanksgiving", 0, ("5K", "10K", "1 Mile")),
    Template("{city} Jingle Bell Run", 12, "sat2", 0, ("5K",)),
    Template("{city} Resolution Run", 1, "fixed", 1, ("5K", "10K")),
    Template("{city} St. Patrick's Day 5K", 3, "sat2", 0, ("5K",)),
    Template("{city} Memorial Day 5K", 5, "mon-1", 0, ("5K",)),
    Template("{city} Firecracker 5K", 7, "fixed", 4, ("5K", "1 Mile")),
    Template("{city} Labor Day 10K", 9, "mon1", 0, ("10K", "5K")),
    Template("{city} 10 Miler", 4, "sun4", 0, ("10 Mile", "5K")),
    Template("{city} 15K", 3, "sat4", 0, ("15K", "5K")),
    Template("{city} Four Mile Classic", 6, "sat2", 0, ("4 Mile",)),
    Template("{city} Moonlight 8K", 8, "sat3", 0, ("8K",)),
    Template("{city} Trail 50K", 6, "sat1", 0, ("50K", "Half Marathon")),
    Template("{city} Mile", 8, "sat1", 0, ("1 Mile",)),
    Template("{city} Heroes Run", 9, "sat2", 0, ("5K", "10K")),
    Template("{city} Harvest Run", 10, "sat1", 0, ("10K", "5K")),
    Template("{city} River Run", 6, "sun3", 0, ("10K", "5K")),
    Template("{city} Pride Run", 6, "sat4", 0, ("5K",)),
    Template("{city} Run for the Library", 4, "sat3", 0, ("5K",)),
    Template("{city} Parks Foundation 10K", 8, "sun2", 0, ("10K", "5K")),
    Template("{city} Winter Warm-Up", 2, "sat2", 0, ("8K", "5K")),
    Template("{city} Color Dash", 7, "sat3", 0, ("5K",)),
    Template("{city} Half and Relay", 11, "sun1", 0, ("Half Marathon", "10K")),
    Template("{city} Valentine's 5K", 2, "sat2", 0, ("5K",)),
    Template("{city} Mother's Day Run", 5, "sun2", 0, ("5K", "10K")),
    Template("{city} Father's Day 4 Miler", 6, "sun3", 0, ("4 Mile", "1 Mile")),
    Template("{city} Summer Solstice 10K", 6, "sat3", 0, ("10K", "5K")),
    Template("{city} Bridge Run", 4, "sat1", 0, ("10K", "5K")),
    Template("{city} Lakefront 10 Miler", 9, "sun3", 0, ("10 Mile", "10K")),
    Template("{city} Oktoberfest 5K", 10, "sat3", 0, ("5K",)),
    Template("{city} Halloween Hustle", 10, "sat-1", 0, ("5K", "10K")),
    Template("{city} Veterans Day 10K", 11, "sat2", 0, ("10K", "5K")),
    Template("{city} Reindeer Run", 12, "sat1", 0, ("5K", "1 Mile")),
    Template("{city} Polar Plunge 5K", 1, "sat4", 0, ("5K",)),
    Template("{city} Groundhog 8K", 2, "sat1", 0, ("8K",)),
    Template("{city} Hot Chocolate 15K", 11, "sun2", 0, ("15K", "5K")),
    Template("{city} Marathon Relay", 5, "sat3", 0, ("Marathon", "Half Marathon", "10K"), 2),
    Template("{city} Women's Half", 4, "sun-1", 0, ("Half Marathon", "5K")),
    Template("{city} Trail Half", 9, "sat3", 0, ("Half Marathon", "10K")),
    Template("{city} Ultra 50K", 10, "sat-1", 0, ("50K", "Marathon")),
    Template("{city} Hospital Foundation 5K", 9, "sat4", 0, ("5K",)),
    Template("{city} Education Foundation Run", 3, "sat3", 0, ("5K", "10K")),
    Template("{city} Cinco de Mayo 5K", 5, "fixed", 5, ("5K",)),
    Template("{city} Juneteenth 5K", 6, "fixed", 19, ("5K",)),
    Template("{city} Brewery Mile", 3, "sat1", 0, ("1 Mile",)),
    Template("{city} Fall Foliage Half", 10, "sun2", 0, ("Half Marathon", "5K")),
    Template("{city} Sunrise 10K", 7, "sun2", 0, ("10K",)),
)
NAME_PREFIXES = ("Downtown", "Greater", "Historic", "Old Town", "Uptown")  # when a name is taken
EXTRA_DISTANCES = ("5K", "10K", "1 Mile", "Half Marathon", "8K")  # added to reach a race count


@dataclass(frozen=True)
class Featured:
    """A series the documented example questions name: fixed at every scale."""

    name: str
    partner: str  # slug
    city: str
    state: str
    month: int
    rule: str
    races: tuple[tuple[str, int, int], ...]  # (distance, field at scale 1, minimum field)
    speed: float  # < 1: a faster field (Boston qualifiers)
    website: str


FEATURED_YEARS = tuple(range(2019, 2026))
# Field size by edition year, relative (2020 and 2021 ran small).
YEAR_FIELD = {2019: 1.0, 2020: 0.55, 2021: 0.75, 2022: 0.9, 2023: 1.0, 2024: 1.05, 2025: 1.1}
FEATURED: tuple[Featured, ...] = (
    Featured("Boston Marathon", "bay-state", "Boston", "MA", 4, "mon3",
             (("Marathon", 4800, 300),), 0.86, "https://boston-marathon.example.org"),
    Featured("Chicago Marathon", "windy-city", "Chicago", "IL", 10, "sun2",
             (("Marathon", 5200, 300),), 0.98, "https://chicago-marathon.example.org"),
    Featured("Shamrock Marathon", "tidewater", "Virginia Beach", "VA", 3, "sun3",
             (("Marathon", 2600, 300), ("Half Marathon", 3400, 150)), 1.0,
             "https://shamrock-marathon.example.org"),
    Featured("Hartford Marathon", "nutmeg", "Hartford", "CT", 10, "sat2",
             (("Marathon", 2400, 300), ("Half Marathon", 3000, 150)), 1.0,
             "https://hartford-marathon.example.org"),
)  # fmt: skip
FEATURED_NAMES = frozenset(f.name.lower() for f in FEATURED)
FEATURED_NAMES_CASED = frozenset(f.name for f in FEATURED)


@dataclass(frozen=True)
class BigRiverEvent:
    name: str
    city: str
    state: str
    start: dt.date
    end: dt.date
    races: tuple[tuple[str, int, int], ...]  # (distance, field at scale 1, minimum field)


BIG_RIVER = "Big River Race Management"
_D = dt.date
# Relative to REFERENCE_DATE (2026-11-25): two events in progress, five ahead, the rest done.
BIG_RIVER_EVENTS: tuple[BigRiverEvent, ...] = (
    BigRiverEvent("Big River Half Marathon", "St. Louis", "MO", _D(2024, 4, 21), _D(2024, 4, 21),
                  (("Half Marathon", 2400, 60), ("10K", 1200, 40), ("5K", 1800, 40))),
    BigRiverEvent("Big River Turkey Trot", "St. Charles", "MO", _D(2024, 11, 28),
                  _D(2024, 11, 28), (("5K", 4000, 60), ("10K", 1500, 40))),
    BigRiverEvent("Big River Half Marathon", "St. Louis", "MO", _D(2025, 4, 20), _D(2025, 4, 20),
                  (("Half Marathon", 2600, 60), ("10K", 1300, 40), ("5K", 1900, 40))),
    BigRiverEvent("Big River Marathon", "Hannibal", "MO", _D(2025, 10, 19), _D(2025, 10, 19),
                  (("Marathon", 900, 60), ("Half Marathon", 1600, 40))),
    BigRiverEvent("Big River Turkey Trot", "St. Charles", "MO", _D(2025, 11, 27),
                  _D(2025, 11, 27), (("5K", 4200, 60), ("10K", 1600, 40))),
    BigRiverEvent("Big River Half Marathon", "St. Louis", "MO", _D(2026, 4, 19), _D(2026, 4, 19),
                  (("Half Marathon", 2700, 60), ("10K", 1300, 40), ("5K", 2000, 40))),
    BigRiverEvent("Big River Marathon", "Hannibal", "MO", _D(2026, 10, 18), _D(2026, 10, 18),
                  (("Marathon", 950, 60), ("Half Marathon", 1700, 40))),
    BigRiverEvent("Big River Fall Trail Series", "Alton", "IL", _D(2026, 9, 12), _D(2026, 12, 5),
                  (("10K", 400, 30), ("Half Marathon", 250, 30))),
    BigRiverEvent("Big River Virtual Turkey Trot", "St. Louis", "MO", _D(2026, 11, 16),
                  _D(2026, 11, 30), (("5K", 800, 30), ("10K", 300, 30))),
    BigRiverEvent("Big River Turkey Trot", "St. Charles", "MO", _D(2026, 11, 26),
                  _D(2026, 11, 26), (("5K", 4300, 60), ("10K", 1700, 40), ("1 Mile", 500, 30))),
    BigRiverEvent("Big River Jingle Bell 5K", "St. Louis", "MO", _D(2026, 12, 12),
                  _D(2026, 12, 12), (("5K", 1500, 40),)),
    BigRiverEvent("Big River New Year's Day 10K", "Chesterfield", "MO", _D(2027, 1, 1),
                  _D(2027, 1, 1), (("10K", 900, 40), ("5K", 700, 40))),
    BigRiverEvent("Big River Half Marathon", "St. Louis", "MO", _D(2027, 4, 18), _D(2027, 4, 18),
                  (("Half Marathon", 2800, 60), ("10K", 1300, 40), ("5K", 2000, 40))),
    BigRiverEvent("Big River Marathon", "Hannibal", "MO", _D(2027, 10, 17), _D(2027, 10, 17),
                  (("Marathon", 1000, 60), ("Half Marathon", 1800, 40))),
)  # fmt: skip


@dataclass(frozen=True)
class Appearance:
    event: str
    year: int
    chip_seconds: int


# Michael Wardian (born 1974-04-12): his best marathon is 2:24:37 at Hartford 2023.
WARDIAN_FIRST, WARDIAN_LAST = "Michael", "Wardian"
WARDIAN_BIRTHDAY = dt.date(1974, 4, 12)
WARDIAN_HOME = ("Arlington", "VA")
WARDIAN_PR = 2 * 3600 + 24 * 60 + 37
WARDIAN_PR_EVENT, WARDIAN_PR_YEAR = "Hartford Marathon", 2023
WARDIAN: tuple[Appearance, ...] = (
    Appearance("Boston Marathon", 2019, 2 * 3600 + 38 * 60 + 21),
    Appearance("Shamrock Marathon", 2020, 2 * 3600 + 41 * 60 + 5),
    Appearance("Chicago Marathon", 2021, 2 * 3600 + 36 * 60 + 44),
    Appearance("Boston Marathon", 2022, 2 * 3600 + 43 * 60 + 10),
    Appearance(WARDIAN_PR_EVENT, WARDIAN_PR_YEAR, WARDIAN_PR),
    Appearance("Chicago Marathon", 2024, 2 * 3600 + 33 * 60 + 52),
    Appearance("Shamrock Marathon", 2025, 2 * 3600 + 46 * 60 + 30),
    Appearance("Hartford Marathon", 2025, 2 * 3600 + 29 * 60 + 58),
)

FIRST_NAMES_M: tuple[str, ...] = (
    "James", "John", "Robert", "Michael", "David", "William", "Richard", "Joseph", "Thomas",
    "Christopher", "Charles", "Daniel", "Matthew", "Anthony", "Mark", "Donald", "Steven", "Paul",
    "Andrew", "Joshua", "Kenneth", "Kevin", "Brian", "George", "Timothy", "Ronald", "Jason",
    "Edward", "Jeffrey", "Ryan", "Jacob", "Gary", "Nicholas", "Eric", "Jonathan", "Stephen",
    "Larry", "Justin", "Scott", "Brandon", "Benjamin", "Samuel", "Gregory", "Alexander",
    "Patrick", "Frank", "Raymond", "Jack", "Dennis", "Jerry", "Tyler", "Aaron", "José", "Adam",
    "Nathan", "Henry", "Zachary", "Douglas", "Peter", "Kyle", "Noah", "Ethan", "Jeremy",
    "Christian", "Walter", "Keith", "Austin", "Sean", "Carlos", "Luis", "Juan", "André", "Raúl",
    "Joaquín", "François", "Björn", "Søren", "Mateo", "Liam", "Owen", "Caleb", "Wei", "Hiroshi",
    "Kofi", "Felix", "Rahul", "Omar", "Diego", "Marcus", "Trevor", "Colin", "Graham", "Declan",
)  # fmt: skip
FIRST_NAMES_F: tuple[str, ...] = (
    "Mary", "Patricia", "Jennifer", "Linda", "Elizabeth", "Barbara", "Susan", "Jessica", "Sarah",
    "Karen", "Lisa", "Nancy", "Betty", "Sandra", "Margaret", "Ashley", "Kimberly", "Emily",
    "Donna", "Michelle", "Carol", "Amanda", "Melissa", "Deborah", "Stephanie", "Rebecca",
    "Sharon", "Laura", "Cynthia", "Amy", "Kathleen", "Angela", "Shirley", "Brenda", "Emma",
    "Anna", "Pamela", "Nicole", "Samantha", "Katherine", "Christine", "Rachel", "Carolyn",
    "Janet", "Maria", "Olivia", "Heather", "Helen", "Catherine", "Diane", "Julie", "Victoria",
    "Joyce", "Lauren", "Kelly", "Christina", "Joan", "Evelyn", "Judith", "Andrea", "Hannah",
    "Megan", "Cheryl", "Jacqueline", "Martha", "Madison", "Teresa", "Gloria", "Sara", "Abigail",
    "Sophia", "Grace", "Chloé", "Zoë", "Renée", "Inés", "Léa", "Noémie", "Siobhán", "María",
    "Lucía", "Aisha", "Mei", "Yuki", "Priya", "Ingrid", "Freya", "Camila", "Valentina", "Molly",
    "Caitlin", "Brianna", "Kaitlyn", "Nora", "Ruth", "Elena",
)  # fmt: skip
FIRST_NAMES_X: tuple[str, ...] = (
    "Alex", "Jordan", "Taylor", "Casey", "Riley", "Jamie", "Avery", "Morgan", "Quinn", "Rowan",
    "Sage", "River", "Skyler", "Emerson", "Parker", "Charlie", "Dakota", "Reese",
)  # fmt: skip
LAST_NAMES: tuple[str, ...] = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson", "Anderson",
    "Taylor", "Thomas", "Moore", "Jackson", "Martin", "Lee", "Thompson", "White", "Harris",
    "Clark", "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright", "Scott", "Hill",
    "Green", "Adams", "Baker", "Nelson", "Carter", "Mitchell", "Roberts", "Turner", "Phillips",
    "Campbell", "Parker", "Evans", "Edwards", "Collins", "Stewart", "Morris", "Murphy", "Cook",
    "Rogers", "Morgan", "Peterson", "Cooper", "Reed", "Bailey", "Bell", "Kelly", "Howard",
    "Ward", "Cox", "Richardson", "Wood", "Watson", "Brooks", "Bennett", "Gray", "James", "Hughes",
    "Price", "Sanders", "Myers", "Long", "Ross", "Foster", "Powell", "Jenkins", "Perry",
    "Russell", "Sullivan", "Fisher", "Henderson", "Coleman", "Simmons", "Patterson", "Jordan",
    "Reynolds", "Hamilton", "Graham", "Kim", "Wallace", "Cole", "West", "Stone", "Hayes", "Gibson",
    "Ellis", "Hunt", "Dunn", "Porter", "Hudson", "Spencer", "Gardner", "Payne", "Pierce",
    "Berry", "Matthews", "Arnold", "Wagner", "Willis", "Ray", "Watkins", "Olson", "Carroll",
    "Duncan", "Snyder", "Hart", "Cunningham", "Bradley", "Lane", "Andrews", "Harper", "Fox",
    "Riley", "Armstrong", "Weaver", "Greene", "Lawrence", "Elliott", "Chavez", "Sims", "Austin",
    "Peters", "Kelley", "Franklin", "Lawson", "Fields", "Ryan", "Schmidt", "Carr", "Castillo",
    "García", "Rodríguez", "Martínez", "Hernández", "López", "González", "Pérez", "Sánchez",
    "Ramírez", "Jiménez", "Gómez", "Muñoz", "Peña", "Núñez", "Díaz", "Álvarez", "Ortiz",
    "Müller", "Schäfer", "Fischer", "Lefèvre", "Côté", "Dubé", "Gagnon", "Bélanger", "Ødegaard",
    "O'Brien", "O'Connor", "O'Neill", "D'Angelo", "McDonald", "MacLeod", "Nguyen", "Tran",
    "Patel", "Shah", "Singh", "Chen", "Wang", "Li", "Zhang", "Liu", "Tanaka", "Suzuki", "Sato",
    "Kiptoo", "Mutai", "Cheruiyot", "Tesfaye", "Rossi", "Russo", "Bianchi", "Novak",
    "Kowalski", "Nowak", "Horvat", "Jensen", "Hansen", "Larsen", "Lindqvist", "Andersson",
    "Kennedy", "Flanagan", "Doyle", "Walsh", "Byrne", "Quinn", "Gallagher", "Brennan",
)  # fmt: skip

CONDITIONS_WARM = ("Sunny", "Clear", "Partly cloudy", "Humid", "Overcast", "Light rain")
CONDITIONS_COLD = ("Clear", "Partly cloudy", "Overcast", "Windy", "Light rain", "Snow flurries")
SYNC_ERRORS = (
    "HTTP 503 from provider API: service unavailable",
    "HTTP 429 from provider API: rate limited, retry later",
    "timeout after 30 s waiting for provider API",
    "HTTP 401 from provider API: credentials rejected",
)
SYNC_JOBS = ("sync_events", "sync_participants", "sync_results", "push_results")


def _check_clean() -> None:
    texts: list[str] = [*FIRST_NAMES_M, *FIRST_NAMES_F, *FIRST_NAMES_X, *LAST_NAMES]
    for state in STATES:
        texts += state.cities
    for abroad in ABROAD:
        texts += abroad.cities
    texts += [t.pattern for t in TEMPLATES] + [p.name for p in PARTNERS] + list(NAME_PREFIXES)
    texts += [e.name for e in BIG_RIVER_EVENTS] + [f.name for f in FEATURED]
    for text in texts:
        if any(ch in text for ch in "\t\n\r\\"):
            raise ValueError(f"reference text {text!r} would need COPY escaping")
    if WARDIAN_LAST in LAST_NAMES:
        raise ValueError("Wardian must be the only Wardian")


_check_clean()
