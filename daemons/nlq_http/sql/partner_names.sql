SELECT name FROM nlq_partner_names() AS name;
