-- roster sync --event: whose event is it, with which provider (the catalogue).
SELECT e.timing_partner_id, p.slug, e.name
FROM events AS e JOIN providers AS p ON p.id = e.provider_id
WHERE e.provider_event_id = %(event)s
  AND p.slug IN ('chronotrack', 'runsignup', 'raceroster')
  AND (%(provider)s::text IS NULL OR p.slug = %(provider)s::text)
  AND (%(partner)s::integer IS NULL OR e.timing_partner_id = %(partner)s::integer)
ORDER BY e.timing_partner_id, p.slug
