-- Phones register with their SIP username but are called by extension: alias_db reads this view
-- to turn "744@abc.example" into the registered "john@abc.example" before the location lookup.
CREATE VIEW kamailio_dbaliases AS
SELECT a.id           AS id,
       a.extension    AS alias_username,
       c.sip_domain   AS alias_domain,
       a.sip_username AS username,
       c.sip_domain   AS domain
FROM account a
JOIN customer c ON c.id = a.customer_id;
