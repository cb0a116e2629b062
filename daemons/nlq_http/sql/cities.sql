-- Cities this caller can see, lower case: "from Portland" is a city only when the data has it.
SELECT lower(city) FROM ct_participants WHERE city IS NOT NULL
UNION
SELECT lower(city) FROM ct_events WHERE city IS NOT NULL;
