-- What the store must remember about itself between opens, such as which
-- key its address fingerprints were made with.
CREATE TABLE store_settings (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
