"""The invented yearly event series (name patterns, when they run, their races) that make
up the generic events."""

from __future__ import annotations

from dataclasses import dataclass


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
