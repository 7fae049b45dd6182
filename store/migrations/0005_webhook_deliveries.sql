-- The deliveries taken from shop platforms' webhooks, by the id a retry
-- repeats: a delivery seen before is answered and changes nothing.
CREATE TABLE webhook_deliveries (
    source      TEXT NOT NULL,
    delivery_id TEXT NOT NULL,
    received_at BIGINT NOT NULL,
    PRIMARY KEY (source, delivery_id)
);
CREATE INDEX webhook_deliveries_received ON webhook_deliveries (received_at);

-- Which courtesy customer a platform's customer id names, so a person is
-- matched by that id before their address, which they may change.
CREATE TABLE integration_customers (
    source      TEXT NOT NULL,
    external_id TEXT NOT NULL,
    customer_id TEXT NOT NULL,
    PRIMARY KEY (source, external_id)
);
CREATE INDEX integration_customers_customer ON integration_customers (customer_id);
