"""Where runners live: the US states events are held in (time zone, area codes, climate,
cities) and the places abroad some runners come from."""

from __future__ import annotations

from dataclasses import dataclass


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
