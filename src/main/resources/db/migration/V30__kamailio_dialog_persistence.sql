-- Kamailio 5.6 keeps its dialogs (dialog module, db_mode 1) and registrations (usrloc, db_mode 1)
-- here, so that a restart of Kamailio - clean or killed - neither ends the calls in progress nor
-- forgets where the phones are. Tables as in Kamailio 5.6's own schema
-- (/usr/share/kamailio/postgres/{standard,dialog,usrloc}-create.sql, kamailio-postgres-modules),
-- with two deliberate differences, both only wider:
--   * dialog_vars.dialog_value is TEXT, not VARCHAR(512): the dialog var cs_sdp holds the
--     service's SDP of a supervisor leg (for re-INVITE answers after a restart), often longer;
--   * location.domain is VARCHAR(253) like customer.sip_domain (Kamailio: 64).
-- Kamailio checks the table versions in "version" at start-up and refuses other versions, so the
-- rows below must match the module versions of 5.6 (dialog 7, dialog_vars 1, location 9,
-- location_attrs 1). Only Kamailio writes these tables; the service reads dialogs over dlg.list.

CREATE TABLE IF NOT EXISTS version (
    id            SERIAL PRIMARY KEY NOT NULL,
    table_name    VARCHAR(32) NOT NULL,
    table_version INTEGER DEFAULT 0 NOT NULL,
    CONSTRAINT version_table_name_idx UNIQUE (table_name)
);

INSERT INTO version (table_name, table_version) VALUES ('version', 1) ON CONFLICT (table_name) DO NOTHING;

CREATE TABLE dialog (
    id               SERIAL PRIMARY KEY NOT NULL,
    hash_entry       INTEGER NOT NULL,
    hash_id          INTEGER NOT NULL,
    callid           VARCHAR(255) NOT NULL,
    from_uri         VARCHAR(255) NOT NULL,
    from_tag         VARCHAR(128) NOT NULL,
    to_uri           VARCHAR(255) NOT NULL,
    to_tag           VARCHAR(128) NOT NULL,
    caller_cseq      VARCHAR(20) NOT NULL,
    callee_cseq      VARCHAR(20) NOT NULL,
    caller_route_set VARCHAR(512),
    callee_route_set VARCHAR(512),
    caller_contact   VARCHAR(255) NOT NULL,
    callee_contact   VARCHAR(255) NOT NULL,
    caller_sock      VARCHAR(64) NOT NULL,
    callee_sock      VARCHAR(64) NOT NULL,
    state            INTEGER NOT NULL,
    start_time       INTEGER NOT NULL,
    timeout          INTEGER DEFAULT 0 NOT NULL,
    sflags           INTEGER DEFAULT 0 NOT NULL,
    iflags           INTEGER DEFAULT 0 NOT NULL,
    toroute_name     VARCHAR(32),
    req_uri          VARCHAR(255) NOT NULL,
    xdata            VARCHAR(512)
);

CREATE INDEX dialog_hash_idx ON dialog (hash_entry, hash_id);

CREATE TABLE dialog_vars (
    id           SERIAL PRIMARY KEY NOT NULL,
    hash_entry   INTEGER NOT NULL,
    hash_id      INTEGER NOT NULL,
    dialog_key   VARCHAR(128) NOT NULL,
    dialog_value TEXT NOT NULL
);

CREATE INDEX dialog_vars_hash_idx ON dialog_vars (hash_entry, hash_id);

CREATE TABLE location (
    id            SERIAL PRIMARY KEY NOT NULL,
    ruid          VARCHAR(64) DEFAULT '' NOT NULL,
    username      VARCHAR(64) DEFAULT '' NOT NULL,
    domain        VARCHAR(253) DEFAULT NULL,
    contact       VARCHAR(512) DEFAULT '' NOT NULL,
    received      VARCHAR(128) DEFAULT NULL,
    path          VARCHAR(512) DEFAULT NULL,
    expires       TIMESTAMP WITHOUT TIME ZONE DEFAULT '2030-05-28 21:32:15' NOT NULL,
    q             REAL DEFAULT 1.0 NOT NULL,
    callid        VARCHAR(255) DEFAULT 'Default-Call-ID' NOT NULL,
    cseq          INTEGER DEFAULT 1 NOT NULL,
    last_modified TIMESTAMP WITHOUT TIME ZONE DEFAULT '2000-01-01 00:00:01' NOT NULL,
    flags         INTEGER DEFAULT 0 NOT NULL,
    cflags        INTEGER DEFAULT 0 NOT NULL,
    user_agent    VARCHAR(255) DEFAULT '' NOT NULL,
    socket        VARCHAR(64) DEFAULT NULL,
    methods       INTEGER DEFAULT NULL,
    instance      VARCHAR(255) DEFAULT NULL,
    reg_id        INTEGER DEFAULT 0 NOT NULL,
    server_id     INTEGER DEFAULT 0 NOT NULL,
    connection_id INTEGER DEFAULT 0 NOT NULL,
    keepalive     INTEGER DEFAULT 0 NOT NULL,
    partition     INTEGER DEFAULT 0 NOT NULL,
    CONSTRAINT location_ruid_idx UNIQUE (ruid)
);

CREATE INDEX location_account_contact_idx ON location (username, domain, contact);
CREATE INDEX location_expires_idx ON location (expires);
CREATE INDEX location_tcpcon_idx ON location (connection_id);
CREATE INDEX location_connection_idx ON location (server_id, connection_id);

CREATE TABLE location_attrs (
    id            SERIAL PRIMARY KEY NOT NULL,
    ruid          VARCHAR(64) DEFAULT '' NOT NULL,
    username      VARCHAR(64) DEFAULT '' NOT NULL,
    domain        VARCHAR(253) DEFAULT NULL,
    aname         VARCHAR(64) DEFAULT '' NOT NULL,
    atype         INTEGER DEFAULT 0 NOT NULL,
    avalue        VARCHAR(512) DEFAULT '' NOT NULL,
    last_modified TIMESTAMP WITHOUT TIME ZONE DEFAULT '2000-01-01 00:00:01' NOT NULL
);

CREATE INDEX location_attrs_account_record_idx ON location_attrs (username, domain, ruid);
CREATE INDEX location_attrs_last_modified_idx ON location_attrs (last_modified);

INSERT INTO version (table_name, table_version) VALUES
    ('dialog', 7),
    ('dialog_vars', 1),
    ('location', 9),
    ('location_attrs', 1)
ON CONFLICT (table_name) DO UPDATE SET table_version = EXCLUDED.table_version;

-- Kamailio connects as its own role (kamailio.cfg's default CS_DBURL: user "kamailio"): it needs
-- these tables and the kamailio_* views it authenticates with, nothing else. Where that role does
-- not exist (tests connect as the owner) there is nothing to grant.
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'kamailio') THEN
        GRANT SELECT ON version TO kamailio;
        GRANT SELECT, INSERT, UPDATE, DELETE ON dialog, dialog_vars, location, location_attrs TO kamailio;
        GRANT USAGE, SELECT ON SEQUENCE dialog_id_seq, dialog_vars_id_seq, location_id_seq,
            location_attrs_id_seq TO kamailio;
        GRANT SELECT ON kamailio_subscriber, kamailio_dbaliases TO kamailio;
    END IF;
END
$$;
