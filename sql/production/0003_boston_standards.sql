-- depends: 0002_roles_and_row_security
-- Boston Marathon qualifying standards (B.A.A.), by edition, sex and age on
-- race day. From the 2026 edition the standards are five minutes faster in
-- most bands; non-binary (X) runners use the women's standards.
INSERT INTO boston_qualifying_standards (edition_year, sex, age_min, age_max, qualifying_time)
SELECT edition, sex, band.age_min, band.age_max,
       CASE edition WHEN 2026 THEN band.t2026 ELSE band.t2025 END
FROM (VALUES (2025), (2026)) AS editions (edition),
     (VALUES ('M'), ('F'), ('X')) AS sexes (sex),
     LATERAL (
        SELECT * FROM (VALUES
            -- age band     men 2025    men 2026    women 2025  women 2026
            (18, 34, interval '3:00', interval '2:55', interval '3:30', interval '3:25'),
            (35, 39, interval '3:05', interval '3:00', interval '3:35', interval '3:30'),
            (40, 44, interval '3:10', interval '3:05', interval '3:40', interval '3:35'),
            (45, 49, interval '3:20', interval '3:15', interval '3:50', interval '3:45'),
            (50, 54, interval '3:25', interval '3:20', interval '3:55', interval '3:50'),
            (55, 59, interval '3:35', interval '3:30', interval '4:05', interval '4:00'),
            (60, 64, interval '3:50', interval '3:50', interval '4:20', interval '4:20'),
            (65, 69, interval '4:05', interval '4:05', interval '4:35', interval '4:35'),
            (70, 74, interval '4:20', interval '4:20', interval '4:50', interval '4:50'),
            (75, 79, interval '4:35', interval '4:35', interval '5:05', interval '5:05'),
            (80, 120, interval '4:50', interval '4:50', interval '5:20', interval '5:20')
        ) AS b (age_min, age_max, m2025, m2026, f2025, f2026)
     ) AS raw,
     LATERAL (SELECT raw.age_min, raw.age_max,
                     CASE sex WHEN 'M' THEN raw.m2025 ELSE raw.f2025 END AS t2025,
                     CASE sex WHEN 'M' THEN raw.m2026 ELSE raw.f2026 END AS t2026) AS band;
