"""Words and text for the rules parser: normalisation, tokens, and the fixed word lists.

Pure. Normalisation keeps one character per input character after NFKC, so that
positions found in the lower-cased working copy line up with the original text
(names keep their case that way).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

MAX_SCAN_CHARS = 2000  # the service accepts less; beyond this the rest is ignored (and noted)


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


word_set = _words  # for the other modules' word lists


def _word_list(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# Words that carry no meaning of their own here: not counted for the confidence.
STOPWORDS = _words(
    """
    a an the of for at in on to with and or by from as into onto via is are was were be been
    being am do does did done doing have has had having i me my mine we us our ours you your
    yours it its they them their theirs he him his she her hers this that these those there
    here what whats why how whose whom please pls plz can could would will should
    shall might must may let lets tell give get got need needs want wanted like know about
    any anyone anybody some all just only also so then too very much many s t d m ll re ve
    hi hello hey thanks thank thx kindly okay ok info information data details detail
    generate create make produce build pull fetch bring up out off again now im ive id
    put together compile grab hand handed gave given made happened amount amounts
    one ones somebody someone something
    """
)

MONTH_NUMBERS = {
    word: number
    for number, words in enumerate(
        (
            "january jan",
            "february feb",
            "march mar",
            "april apr",
            "may",
            "june jun",
            "july jul",
            "august aug",
            "september sept sep",
            "october oct",
            "november nov",
            "december dec",
        ),
        start=1,
    )
    for word in words.split()
}

# Words the grammar itself uses: never part of a person's name, never an anchor for a
# fuzzy event-name match (so "women" cannot be read as a typo of an event called "Woman").
KEYWORDS = (
    _words(
        """
        how many number count tally total show list which who display see view find lookup
        look search locate compare compared compares comparing comparison vs versus side
        against difference average avg mean median distribution histogram spread statistics
        stats breakdown break summary summarise summarize overview analyse analyze analysis
        fastest quickest best slowest worst top first last pr prs pb pbs personal record
        records ever csv export exports exported download downloadable spreadsheet excel xlsx
        contact email emails mail phone phones numbers result results finish finished
        finishes finishing finisher finishers runner runners racer racers athlete athletes
        people folks ran run runs running raced race races completed time times chip gun split
        splits pace performance performances registered registrant registrants registration
        registrations entrant entrants entry entries signed sign signup signups participant
        participants enrolled starters event events held calendar schedule fee fees price
        prices pricing cost costs live timing reads read tag current currently real realtime
        session edition editions year years season month months week weeks weekend day days
        today tonight yesterday tomorrow ago since after before until till through thru
        between next past previous recent recently newest latest oldest earliest alphabetical
        alphabetically name names under sub below faster quicker less within most more over
        above slower longer least beyond than hour hours hr hrs h minute minutes min mins
        second seconds marathon marathons marathoner marathoners half full ultra ultras mile
        miles miler milers mi k km kms kilometer kilometers kilometre kilometres women woman
        womens female females ladies lady girls girl gals gal men man mens male males guys guy
        boys boy gentlemen gents nonbinary non binary enby age aged ages old olds group groups
        bracket brackets category categories master masters grand senior seniors
        qualifier qualifiers qualifying qualified qualify bq bqs standard standards active
        ongoing progress upcoming coming future scheduled planned winner winners won win wins
        winning limit
        limited dollars dollar usd bucks runsignup raceroster chronotrack roster chrono track
        sex gender per each every across overall combined did ytd sql select drop table delete
        insert update union where partner partners tenant tenants ignore instructions
        monday tuesday wednesday thursday friday saturday sunday
        """
    )
    | STOPWORDS
    | frozenset(MONTH_NUMBERS)
)

# Generic words in names: they help a match but cannot identify a name by themselves.
EVENT_GENERIC = _words(
    """
    the a of and marathon marathons half full race run road k km mile miles miler 5k 10k
    8k 12k 15k 25k 30k 50k 100k international annual classic day memorial festival series
    challenge trail st saint spring summer fall autumn winter
    """
)
PARTNER_GENERIC = _words(
    """
    the a of and race races racing management timing time events event sports sport inc
    llc co company productions production group services service solutions systems
    """
)

_SMALL_NUMBERS = _word_list(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen"
    " fifteen sixteen seventeen eighteen nineteen"
)
_TENS = _word_list("twenty thirty forty fifty sixty seventy eighty ninety")
_NUMBER_WORDS = {
    **{word: n for n, word in enumerate(_SMALL_NUMBERS)},
    **{word: 10 * n for n, word in enumerate(_TENS, start=2)},
    "hundred": 100,
}
_DECADE_WORDS = {f"{word[:-1]}ies": f"{10 * n}s" for n, word in enumerate(_TENS, start=2)}

# ---------------------------------------------------------------------------------------------
# Normalisation
# ---------------------------------------------------------------------------------------------

BLANK = "\x00"  # taken characters in the working copy: matched by neither \w nor \s
UNSEEN, EXPLAINED, DISCARDED = 0, 1, 2

# Typographic quotes and dashes -> ASCII (one character each, so positions keep).
_TRANSLATE = str.maketrans(
    dict.fromkeys("\u2018\u2019\u201b\u02bc\u0060\u00b4", "'")
    | dict.fromkeys("\u201c\u201d", '"')
    | dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2212", "-")
)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028\u2029\ufeff]")
_SPACES = re.compile(r"[^\S\n]")  # any horizontal white space -> " " (length kept)
_NUMBER_WORD = re.compile(
    rf"\b(?:(?P<tens>{'|'.join(_TENS)})(?:[- ](?P<unit>{'|'.join(_SMALL_NUMBERS[1:10])}))?"
    rf"|(?P<word>{'|'.join([*_SMALL_NUMBERS, 'hundred'])})"
    rf"|(?P<decade>{'|'.join(_DECADE_WORDS)}))\b",
    re.IGNORECASE,
)


# "one of our races", "each one", "the one in 2024": a pronoun, not the number 1
_PRONOUN_ONE_BEFORE = re.compile(
    r"\b(?:each|every|any|the|that|this|which|no|a|single|same|other|another)\s+$", re.IGNORECASE
)
_PRONOUN_ONE_AFTER = re.compile(r"\s+of\b|\s+(?:that|which|who)\b", re.IGNORECASE)


def _pronoun_one(match: re.Match[str]) -> bool:
    text, start, end = match.string, match.start(), match.end()
    return bool(
        _PRONOUN_ONE_BEFORE.search(text[max(0, start - 12) : start])
        or _PRONOUN_ONE_AFTER.match(text, end)
    )


def _number_word(match: re.Match[str]) -> str:
    if match["word"] and match["word"].lower() == "one" and _pronoun_one(match):
        return match[0]
    if match["decade"]:
        return _DECADE_WORDS[match["decade"].lower()]
    if match["word"]:
        return str(_NUMBER_WORDS[match["word"].lower()])
    value = _NUMBER_WORDS[match["tens"].lower()]
    if match["unit"]:
        value += _NUMBER_WORDS[match["unit"].lower()]
    return str(value)


# "neither from Massachusetts nor over 50" is "not from Massachusetts and not over 50": each
# part then carries its own negation, which the extractors read
_NEITHER_NOR = re.compile(r"\bneither\s+(?P<first>[^?.;]{1,80}?)\s+nor\s+", re.IGNORECASE)


def normalise(question: str) -> tuple[str, bool]:
    """Canonical text for matching; True when the question was cut at ``MAX_SCAN_CHARS``."""
    raw = question[: MAX_SCAN_CHARS * 2]  # NFKC may expand; bound the work before it
    text = unicodedata.normalize("NFKC", raw).translate(_TRANSLATE)
    text = _CONTROL.sub(" ", text)
    text = _SPACES.sub(" ", text)
    text = _NUMBER_WORD.sub(_number_word, text)
    text = _NEITHER_NOR.sub(r"not \g<first> and not ", text)
    truncated = len(question) > MAX_SCAN_CHARS * 2 or len(text) > MAX_SCAN_CHARS
    return text[:MAX_SCAN_CHARS], truncated


def lower(text: str) -> str:
    """Lower case with the same length, so positions line up with the original."""
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(c if len(c.lower()) != 1 else c.lower() for c in text)


_TOKEN = re.compile(r"[^\W_]+")
GAP = re.compile(r"[ \t\-.'&/]*")  # what may separate the words of one name


@dataclass(frozen=True)
class Token:
    text: str
    start: int
    end: int


def tokens(text: str) -> list[Token]:
    return [Token(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(text)]


def adjacent(work: str, left: Token, right: Token) -> bool:
    return GAP.fullmatch(work, left.end, right.start) is not None


def safe_word(word: str) -> str:
    """A word as it may appear in a note: letters, digits, ' and -, at most 30 characters."""
    return re.sub(r"[^\w' -]", "", word)[:30]


# ---------------------------------------------------------------------------------------------
# Scan state


# Chat shorthand and apostrophe-less contractions, expanded before anything reads the words.
SHORTHAND = {
    "hw": "how", "ppl": "people", "yr": "year", "yrs": "years", "avg": "average",
    "w/": "with", "w/o": "without", "wmen": "women", "didnt": "did not", "dont": "do not",
    "doesnt": "does not", "werent": "were not", "wasnt": "was not", "isnt": "is not",
    "arent": "are not", "havent": "have not", "hasnt": "has not", "cant": "cannot",
    "whats": "what is", "thx": "thanks", "tmrw": "tomorrow", "mins": "minutes",
    "hrs": "hours", "hr": "hour", "num": "number", "qty": "number", "info": "information",
}  # fmt: skip
_SHORTHAND = re.compile(
    r"(?<![\w'])(?:"
    + "|".join(re.escape(w) for w in sorted(SHORTHAND, key=len, reverse=True))
    + r")(?![\w'])",
    re.IGNORECASE,
)


# "weren't" is "were not": the negation must reach the reading as a word of its own (read as
# "weren" it was once corrected to "were", and the "not" was lost).
_NOT_CONTRACTION = re.compile(r"\b(?P<stem>[A-Za-z]+?)n['\u2019]t\b", re.IGNORECASE)
_IRREGULAR_NOT = {"wo": "will", "ca": "can", "sha": "shall", "ai": "are"}


def _not_expanded(match: re.Match[str]) -> str:
    stem = match["stem"]
    return f"{_IRREGULAR_NOT.get(stem.lower(), stem)} not"


# "slower then an hour": the common slip for "than", after a comparative only
_THEN_FOR_THAN = re.compile(
    r"\b(?P<cmp>(?:slow|fast|quick|long|short|old|young|great|high|low|earl|lat)(?:er|ier)"
    r"|more|less|fewer|other|rather)\s+then\b",
    re.IGNORECASE,
)
# Misspellings of the words that change a meaning, which correction alone would miss
_SLIPS = re.compile(r"\b(?:exacty|exactley|excatly|exaclty)\b", re.IGNORECASE)
_EVER = re.compile(r"\b(?:evr|evar|eva)\b", re.IGNORECASE)


# "slower than an hour", "under half an hour": the numbers the time rules read
_HALF_AN_HOUR = re.compile(r"\b(?:half\s+an\s+hour|a\s+half[\s-]hour)\b", re.IGNORECASE)
_AN_HOUR = re.compile(r"\b(?:an|one)\s+hour\b(?!\s+and\s+a\s+half)", re.IGNORECASE)


def expand_shorthand(text: str) -> str:
    text = _THEN_FOR_THAN.sub(lambda m: f"{m['cmp']} than", text)
    text = _SLIPS.sub("exactly", text)
    text = _EVER.sub("ever", text)
    text = _HALF_AN_HOUR.sub("30 minutes", text)
    text = _AN_HOUR.sub("1 hour", text)
    text = _NOT_CONTRACTION.sub(_not_expanded, text)
    return _SHORTHAND.sub(lambda m: SHORTHAND[m[0].lower()], text)


# English words that are close to a grammar word but mean something else: never "corrected"
# ("never" is not "ever", "lowest" not "slowest", a percentage is not a percentile, "called"
# not "cancelled"). Left unknown, they keep the rules from answering instead.
NEVER_CORRECTED = _words(
    """
    lowest highest percent percentage percentages quarter quarters others different really
    almost still even never middle throughout beside inside minus beaten place placed thought
    helped called named county counties beach coast east west person persons seventh report
    rate rates ratio least loser losers lose lost slower faster quicker gain gained mostly
    """
)

# Words a typo may be corrected to: the grammar's own words and the subjects' nouns.
LEXICON = frozenset(KEYWORDS) | _words(
    """
    qualified qualifiers qualifying distribution finishing participants registrations average
    median percentile percentiles quartile quartiles weather temperature humidity division
    divisions category standards women people revenue cancelled canceled upcoming entrants
    registered registrants runners finishers finished boston marathon results events races
    fastest slowest winners winner pace splits split country countries state states city
    cities finish started starters disqualified status compare between average minimum
    maximum fees price prices cost costs calendar scheduled completed active location
    locations session reads conditions wind standard edition editions
    """
)
