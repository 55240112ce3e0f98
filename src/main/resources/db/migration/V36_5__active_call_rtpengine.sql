-- The rtpengine (ng host:port) Kamailio anchored the call in: with several daemons the service
-- drives the one that holds the call (issue 15).
ALTER TABLE active_call ADD COLUMN rtpengine varchar(255);
