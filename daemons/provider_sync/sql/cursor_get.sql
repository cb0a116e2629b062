SELECT cursor, full_listing_at FROM sync_cursors
WHERE timing_partner_id = %(partner)s AND provider_id = %(provider)s
  AND listing = %(listing)s AND provider_scope = %(scope)s
