-- One roster writer at a time (as project88 roster import); the display keeps reading.
LOCK TABLE race_roster IN SHARE ROW EXCLUSIVE MODE
