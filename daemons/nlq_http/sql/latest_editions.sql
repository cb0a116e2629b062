-- Each event series' latest edition that has been held (not cancelled), by year: the
-- parser reads "the most recent Boston Marathon" as that year. Row-level security applies.
SELECT name, max(extract(year FROM event_date))::int
FROM ct_events
WHERE event_date <= current_date AND status IS DISTINCT FROM 'cancelled'
GROUP BY name
ORDER BY name;
