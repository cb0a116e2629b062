"""Refused before anything is read: requests to change data, SQL, instructions to the system.

A question that carries any of these is refused whole (a clear 4xx), never
answered with what is left after stripping them: what is left was written
around the attack and means something else. Every regular expression is
linear (bounded repetitions, atomic groups, no nested quantifiers).
"""

from __future__ import annotations

import re

from .scan import Scan

# What may follow a SQL statement's opening words: only SQL-looking tokens (quoted strings,
# comparisons, keywords, snake_case or dotted identifiers, punctuation), so the statement ends
# where plain English resumes ("... UNION SELECT * FROM pg_shadow ran the Chicago Marathon").
# Atomic groups and possessive repeats keep it linear.
_SQL_WORDS = (
    r"select|from|where|union|all|values|into|table|set|null|true|false|join|limit|offset|"
    r"order|group|having|like|returning|cascade|exists|distinct|not|and|or|is|in|as|on|by|"
    r"asc|desc|if|case|when|then|else|end"
)
_SQL_VALUE = r"'[^'\n]{0,80}'|'\w{0,30}|-?\d{1,20}(?:\.\d{1,10})?|\w{1,60}"
_SQL_TOKEN = (
    r"'[^'\n]{0,80}'|'\w{0,30}|\"[^\"\n]{0,80}\""
    rf"|(?:\w{{1,60}}\s*)?(?:=|<>|!=|<=?|>=?)\s*(?:{_SQL_VALUE})"
    r"|\b(?:from|into|join|table|update)\s+[\w.]{1,60}"
    rf"|\b(?:{_SQL_WORDS})\b"
    r"|[a-z_][a-z0-9_]{0,60}(?:\.[a-z_][a-z0-9_]{0,60})+|[a-z][a-z0-9]{0,30}_[a-z0-9_]{1,60}"
    r"|\d{1,20}(?=\s*[,)])|[*(),.+]"
)
_TAIL = rf"(?:\s*+(?>{_SQL_TOKEN})){{0,60}}+"
_OBJECT = r"\s+(?:if\s+(?:not\s+)?exists\s+)?[\w.]{1,60}"
_HOSTILE: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "a SQL statement",
        re.compile(
            r"\b(?:drop|truncate|alter)\s+(?:table|database|schema|role|user|view|index|"
            rf"function|policy|trigger|extension|sequence)\b(?:{_OBJECT})?{_TAIL}"
        ),
    ),
    ("a SQL statement", re.compile(rf"\b(?:delete\s+from|insert\s+into)(?:{_OBJECT})?{_TAIL}")),
    ("a SQL statement", re.compile(rf"\bupdate\s+[\w.]{{1,60}}\s+set\b{_TAIL}")),
    (
        "a SQL statement",
        re.compile(
            r"\bcreate\s+(?:or\s+replace\s+)?(?:table|function|role|user|view|index|policy|"
            rf"trigger|extension|database|schema)\b(?:{_OBJECT})?{_TAIL}"
        ),
    ),
    (
        "a SQL statement",
        re.compile(rf"\b(?:grant|revoke)\s+(?:all|select|insert|update|delete|usage)\b{_TAIL}"),
    ),
    ("a SQL statement", re.compile(rf"\bunion\s+(?:all\s+)?select\b{_TAIL}")),
    (
        "a SQL statement",
        re.compile(
            r"\bselect\s+(?:\*|\w{1,60}\s*,|count\s*\(|distinct\b|pg_|current_|set_config|"
            rf"version\s*\(){_TAIL}"
        ),
    ),
    (
        "a SQL statement",
        re.compile(rf"\bcopy\s+[\w.]{{1,60}}\s+(?:to|from)\s+(?:program|stdout|stdin)?{_TAIL}"),
    ),
    (
        "a SQL statement",
        re.compile(
            r"\b(?:set|reset)\s+(?:session\s+|local\s+)?(?:role|session\s+authorization|"
            r"row_security|app\.\w{1,60})\b(?:\s+(?:to\s+)?[\w'.]{1,60})?"
            rf"{_TAIL}"
        ),
    ),
    (
        "a SQL function call",
        re.compile(
            r"\b(?:set_config|current_setting|pg_sleep|pg_read_file|lo_import|lo_export|dblink"
            r"\w{0,20}|sleep|benchmark)\s*\([^)\n]{0,200}\)?|\bwaitfor\s+delay\b"
        ),
    ),
    ("a SQL condition", re.compile(r"\b(?:or|and)\s+'?(\w{1,20})'?\s*=\s*'?\1\b'?")),
    ("a SQL condition", re.compile(r"\bor\s+(?:true|1)\b\s*(?=--|;|'|$)")),
    ("a SQL condition", re.compile(r"['\"]\s*(?:or|and)\s*['\"(]|['\"]{2}\s*=|\(\s*\d+\s*=\s*\d+")),
    ("a SQL condition", re.compile(r"\b(?:or|and)\s*\(?\s*(\d{1,9})\s*=\s*\1\b")),
    ("a SQL comment", re.compile(r"--+|/\*|\*/")),
    (
        "a database identifier",
        re.compile(
            r"\b[a-z][a-z0-9]{0,30}_[a-z0-9_]{1,60}\b(?:\s?(?:=|<>|!=|<=?|>=?)\s?'?[\w.]{1,60}'?)?"
        ),
    ),
    (
        "an instruction to the system",
        re.compile(
            r"\b(?:ignore|disregard|forget|override|bypass)\b[^.!?;\n]{0,60}?\b(?:instructions?|"
            r"prompts?|rules?|guidelines?|restrictions?|messages?|context|polic(?:y|ies)|"
            r"security|filters?|guardrails?|constraints?|limits?|everything|above)\b"
        ),
    ),
    (
        "an instruction to the system",
        re.compile(
            r"\b(?:you\s+are\s+now|from\s+now\s+on|act\s+as|pretend\s+(?:to\s+be|you)|"
            r"role-?\s?play|jailbreak|developer\s+mode|dan\s+mode|system\s+prompt|"
            r"new\s+instructions?|as\s+(?:an?\s+)?(?:admin|administrator|superuser|root|dba))"
            r"\b[^.!?;\n]{0,60}"
        ),
    ),
    (
        "a request for other partners' data",
        re.compile(
            r"\b(?:other|all|every|another|different|any)\s+(?:timing\s+)?(?:partners?|tenants?|"
            r"customers?|clients?|compan(?:y|ies)|organi[sz]ations?)(?:'s?)?"
            r"(?:\s+(?:data|rows|results|records|events|info))?"
        ),
    ),
    (
        "a request for other partners' data",
        re.compile(
            r"\b(?:partner|tenant|customer|client|org(?:ani[sz]ation)?|account)\s*(?:id\s*)?"
            # "partner 7", "tenant #12"; not "events per timing partner 2024" (a year)
            r"(?:(?:#|no\.?|number|=|:)\s*\d{1,12}|(?!(?:19|20)\d\d\b)\d{1,12})(?:'s)?"
            r"(?:\s+(?:data|rows|results|records|events|info))?"
        ),
    ),
    (
        "a request for system details",
        re.compile(
            r"\b(?:reveal|print|dump|output|leak|expose|show|list|give)\s+(?:me\s+)?"
            r"(?:the\s+|your\s+|all\s+)?(?:system\s+prompt|prompt|instructions|passwords?|"
            r"credentials|api\s*keys?|secrets?|schema|tables|database\s+(?:schema|tables|users)|"
            r"dsn|connection\s+string|environment)\b"
        ),
    ),
    (
        "a request to run SQL",
        re.compile(
            r"\b(?:write|run|execute|exec)\s+(?:this\s+|the\s+following\s+|raw\s+|a\s+|an\s+|"
            r"my\s+)?(?:sql|query|queries|statement|command)\b"
        ),
    ),
)


# Writes: the service is read-only, whatever the verb ("delete", "mark as", "update ... to").
_WRITE_ANYWHERE = re.compile(
    r"\b(?:delete|deleting|remove|erase|wipe|purge|truncate|insert|overwrite|unregister"
    r"|deregister|refund)\b"
)
_WRITE_VERB = re.compile(
    r"(?:^|[.;!?:]\s*|\b(?:please|pls|plz|kindly|can\s+you|could\s+you|would\s+you|will\s+you"
    r"|i\s+(?:want|need)\s+(?:you\s+)?to|go\s+ahead\s+and|and\s+then|then|and|also)\s+)"
    r"(?:update|modify|edit|alter|rename|replace|correct|fix|assign|merge"
    r"|reset|cancel|reschedule|postpone|disqualify|register|enroll|upload|import|swap"
    r"|transfer|add|set|put|move|mark|restore|undo|revert|void|approve|enter|unmark"
    r"|reinstate|reopen|extend|refund|charge|email|e-mail|notify|send|publish"
    r"|unpublish|archive)\s+(?!(?:me|us|up|together)\b)"
)
# Opening or closing registration, said as an order ("please close registration for X"):
# "when does registration open and close" asks, it does not order.
_OPEN_OR_CLOSE = re.compile(
    r"(?:^|[.;!?:]\s*|\b(?:please|pls|plz|kindly|can\s+you|could\s+you|would\s+you|will\s+you"
    r"|i\s+(?:want|need)\s+(?:you\s+)?to|go\s+ahead\s+and)\s+)"
    r"(?:close|open|shut|end|stop)\s+(?:up\s+)?(?:the\s+)?(?:registrations?|sign[\s-]?ups?|entries)\b"
)
_WRITE_PHRASE = re.compile(
    r"\b(?:mark|flag|set|change|update)\b[^.?!;\n]{0,80}?\b(?:as|to)\s+"
    r"(?:a\s+|an\s+|the\s+)?(?:dnf|dns|dq|disqualified|finished|cancell?ed|active|completed"
    r"|upcoming|inactive|paid|unpaid)\b"
    r"|\b(?:change|update|set|modify|edit|correct|fix|alter)\b[^.?!;\n]{0,60}?\b(?:time|bib"
    r"|status|name|age|sex|gender|result|record|place|email|phone|fee|price|date)s?\b"
    r"[^.?!;\n]{0,40}?\bto\b"
    r"|\badd\b[^.?!;\n]{0,80}?\b(?:to|into)\s+(?:the\s+|our\s+)?(?:event|race|database"
    r"|results|roster|entrants|participants|registrations|table)s?\b"
    r"|\badd\s+(?:a\s+|an\s+|new\s+|another\s+){1,2}(?:[\w-]{1,20}\s+){0,3}?(?:runner"
    r"|participant|result|finisher|entrant|registration|event|race|record|entry|time|split"
    r"|mat|location|division|wave)s?\b"
    r"|\bcreate\s+(?:a\s+|an\s+|new\s+){0,3}(?:event|race|participant|runner|result|record"
    r"|entry|registration|user|account|partner|table|session)s?\b"
)
READ_ONLY = (
    "the question service is read-only: it answers questions about results, entrants, events,"
    " registrations and fees, and never changes data"
)


def extract_hostile(scan: Scan) -> None:
    """Refuse writes, SQL, injection and other-tenant requests before any word is read."""
    for pattern in (_WRITE_PHRASE, _WRITE_ANYWHERE, _WRITE_VERB, _OPEN_OR_CLOSE):
        for match in scan.finditer(pattern):
            scan.take(match.start(), match.end(), discard=True)
            scan.refuse(403, READ_ONLY, "write")
    for label, pattern in _HOSTILE:
        for match in scan.finditer(pattern):
            scan.take(match.start(), match.end(), discard=True)
            if label == "a request for other partners' data":
                scan.refuse(
                    403, "each API key reads only its own timing partner's data", "other_partner"
                )
            else:
                scan.refuse(
                    422,
                    f"the question contains {label}; ask in plain words, without SQL or"
                    " instructions to the system",
                    "hostile",
                )
