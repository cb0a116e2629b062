-- A partner's events with one provider, from yesterday on: what a job without
-- --event works through.
SELECT provider_event_id FROM events
WHERE timing_partner_id = %(partner)s AND provider_id = %(provider)s
  AND event_date >= current_date - 1
ORDER BY event_date, provider_event_id
