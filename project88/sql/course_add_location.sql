INSERT INTO timing_course_locations (session_id, position, location_name, role, distance_m)
VALUES (%(session)s, %(position)s, %(name)s, %(role)s, %(distance_m)s)
