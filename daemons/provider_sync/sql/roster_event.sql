-- The event's name, date and earliest start (for the label and the cadence).
SELECT e.name, e.event_date,
       COALESCE(
         (SELECT min(r.start_time) FROM ct_races r
          WHERE %(provider)s = 'chronotrack' AND r.timing_partner_id = e.timing_partner_id
            AND r.event_id::text = e.provider_event_id),
         (SELECT min(r.start_time) FROM runsignup_races r
          WHERE %(provider)s = 'runsignup' AND r.timing_partner_id = e.timing_partner_id
            AND r.runsignup_event_id::text = e.provider_event_id))
FROM events AS e JOIN providers AS pr ON pr.id = e.provider_id
WHERE e.timing_partner_id = %(partner)s AND pr.slug = %(provider)s
  AND e.provider_event_id = %(event)s
