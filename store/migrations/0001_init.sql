-- The first schema of courtesy. Times are BIGINT microseconds since the Unix
-- epoch, UTC, with 0 meaning "not set", so both dialects compare them the same
-- way. {{autoid}} is the dialect's auto-numbered primary key.

CREATE TABLE customers (
    id          TEXT PRIMARY KEY,
    email       TEXT NOT NULL,
    email_hash  TEXT NOT NULL,
    first_name  TEXT NOT NULL DEFAULT '',
    last_name   TEXT NOT NULL DEFAULT '',
    birth_month INTEGER NOT NULL DEFAULT 0,
    birth_day   INTEGER NOT NULL DEFAULT 0,
    timezone    TEXT NOT NULL DEFAULT '',
    locale      TEXT NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
CREATE INDEX customers_birthday ON customers (birth_month, birth_day);
CREATE INDEX customers_email_hash ON customers (email_hash);

CREATE TABLE consent_ledger (
    id          {{autoid}},
    customer_id TEXT NOT NULL,
    purpose     TEXT NOT NULL,
    status      TEXT NOT NULL,
    basis       TEXT NOT NULL DEFAULT '',
    source      TEXT NOT NULL DEFAULT '',
    notice      TEXT NOT NULL DEFAULT '',
    message_key TEXT NOT NULL DEFAULT '',
    expires_at  BIGINT NOT NULL DEFAULT 0,
    recorded_at BIGINT NOT NULL
);
CREATE INDEX consent_ledger_customer ON consent_ledger (customer_id, purpose, recorded_at, id);

CREATE TABLE opt_outs (
    id          {{autoid}},
    customer_id TEXT NOT NULL,
    purpose     TEXT NOT NULL,
    source      TEXT NOT NULL DEFAULT '',
    message_key TEXT NOT NULL DEFAULT '',
    campaign_id TEXT NOT NULL DEFAULT '',
    variant     TEXT NOT NULL DEFAULT '',
    reason      TEXT NOT NULL DEFAULT '',
    comment     TEXT NOT NULL DEFAULT '',
    at          BIGINT NOT NULL
);
CREATE INDEX opt_outs_at ON opt_outs (at);
CREATE INDEX opt_outs_campaign ON opt_outs (campaign_id, at);
CREATE INDEX opt_outs_customer ON opt_outs (customer_id, at);

CREATE TABLE events (
    id           {{autoid}},
    customer_id  TEXT NOT NULL,
    type         TEXT NOT NULL,
    item_id      TEXT NOT NULL DEFAULT '',
    item_name    TEXT NOT NULL DEFAULT '',
    item_url     TEXT NOT NULL DEFAULT '',
    order_id     TEXT NOT NULL DEFAULT '',
    amount_cents BIGINT NOT NULL DEFAULT 0,
    occurred_at  BIGINT NOT NULL
);
-- The identity of an event, so a re-imported file adds nothing twice; it also
-- serves the per-customer lookups.
CREATE UNIQUE INDEX events_identity ON events (customer_id, type, item_id, order_id, occurred_at);
CREATE INDEX events_type_time ON events (type, occurred_at);

CREATE TABLE messages (
    msg_key          TEXT PRIMARY KEY,
    campaign_id      TEXT NOT NULL,
    campaign_version TEXT NOT NULL DEFAULT '',
    customer_id      TEXT NOT NULL,
    occurrence       TEXT NOT NULL DEFAULT '',
    purpose          TEXT NOT NULL DEFAULT '',
    variant          TEXT NOT NULL DEFAULT '',
    outcome          TEXT NOT NULL,
    decision         TEXT NOT NULL,
    detail           TEXT NOT NULL DEFAULT '',
    message_id       TEXT NOT NULL DEFAULT '',
    subject          TEXT NOT NULL DEFAULT '',
    due_at           BIGINT NOT NULL DEFAULT 0,
    not_after        BIGINT NOT NULL DEFAULT 0,
    created_at       BIGINT NOT NULL,
    claimed_at       BIGINT NOT NULL DEFAULT 0,
    decided_at       BIGINT NOT NULL,
    attempts         INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX messages_decided ON messages (decided_at);
CREATE INDEX messages_campaign ON messages (campaign_id, decided_at);
CREATE INDEX messages_customer ON messages (customer_id, decided_at);
CREATE INDEX messages_outcome ON messages (outcome, claimed_at);

CREATE TABLE preferences (
    customer_id    TEXT PRIMARY KEY,
    paused_until   BIGINT NOT NULL DEFAULT 0,
    max_per_window TEXT NOT NULL DEFAULT '',
    updated_at     BIGINT NOT NULL
);

CREATE TABLE suppressions (
    email_hash  TEXT NOT NULL,
    reason      TEXT NOT NULL,
    source      TEXT NOT NULL DEFAULT '',
    detail      TEXT NOT NULL DEFAULT '',
    at          BIGINT NOT NULL,
    lifted_at   BIGINT NOT NULL DEFAULT 0,
    lift_reason TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (email_hash, reason)
);
CREATE INDEX suppressions_at ON suppressions (at);

CREATE TABLE bounces (
    id          {{autoid}},
    email_hash  TEXT NOT NULL,
    message_key TEXT NOT NULL DEFAULT '',
    status      TEXT NOT NULL DEFAULT '',
    kind        TEXT NOT NULL,
    at          BIGINT NOT NULL
);
CREATE INDEX bounces_hash ON bounces (email_hash, kind, at);

CREATE TABLE campaign_states (
    id     TEXT PRIMARY KEY,
    paused INTEGER NOT NULL DEFAULT 0,
    reason TEXT NOT NULL DEFAULT '',
    at     BIGINT NOT NULL
);

CREATE TABLE answers (
    message_key TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL,
    campaign_id TEXT NOT NULL DEFAULT '',
    variant     TEXT NOT NULL DEFAULT '',
    score       INTEGER NOT NULL,
    comment     TEXT NOT NULL DEFAULT '',
    at          BIGINT NOT NULL
);
CREATE INDEX answers_campaign ON answers (campaign_id, at);
CREATE INDEX answers_customer ON answers (customer_id);
CREATE INDEX answers_at ON answers (at);

CREATE TABLE engagements (
    id          {{autoid}},
    customer_id TEXT NOT NULL,
    message_key TEXT NOT NULL DEFAULT '',
    campaign_id TEXT NOT NULL DEFAULT '',
    kind        TEXT NOT NULL,
    at          BIGINT NOT NULL
);
CREATE INDEX engagements_campaign ON engagements (campaign_id, at);
CREATE INDEX engagements_customer ON engagements (customer_id, at);
CREATE INDEX engagements_at ON engagements (at);
