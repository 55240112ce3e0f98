-- What Kamailio's auth_db reads to challenge phones: one row per account, keyed by the
-- customer's SIP domain, so the same username may exist under two customers.
CREATE VIEW kamailio_subscriber AS
SELECT a.id           AS id,
       a.sip_username AS username,
       c.sip_domain   AS domain,
       a.ha1          AS ha1,
       a.ha1b         AS ha1b
FROM account a
JOIN customer c ON c.id = a.customer_id;
