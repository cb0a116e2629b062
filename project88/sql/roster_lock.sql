-- One import at a time (the mode conflicts with itself); the display keeps reading.
LOCK TABLE race_roster IN SHARE ROW EXCLUSIVE MODE
