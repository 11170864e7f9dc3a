-- helmpilot-app's store. The same statements run on SQLite and PostgreSQL: only TEXT and
-- BIGINT columns, no auto-increment (every key is natural), times in Unix milliseconds.

-- Webhook deliveries seen, by X-GitHub-Delivery: a redelivery finds its row and changes
-- nothing.
CREATE TABLE deliveries (
    delivery_id TEXT PRIMARY KEY,
    event TEXT NOT NULL,
    action TEXT NOT NULL,
    received_at_ms BIGINT NOT NULL
);
CREATE INDEX deliveries_received_at ON deliveries (received_at_ms);

-- One row per deployment protection request (environment + callback URL). `state` is
-- pending -> claimed (a worker holds it until claimed_until_ms) -> decided; a claim that
-- outlives its lease returns to the pool.
CREATE TABLE gates (
    id TEXT PRIMARY KEY,
    installation_id BIGINT NOT NULL,
    repository TEXT NOT NULL,
    environment TEXT NOT NULL,
    sha TEXT NOT NULL,
    git_ref TEXT NOT NULL,
    deployment_id BIGINT NOT NULL,
    callback_url TEXT NOT NULL,
    requested_by TEXT NOT NULL,
    requested_at BIGINT NOT NULL,
    delivery_id TEXT NOT NULL,
    state TEXT NOT NULL,
    next_check_at_ms BIGINT NOT NULL,
    failures BIGINT NOT NULL,
    claimed_by TEXT,
    claimed_until_ms BIGINT,
    waiting_reason TEXT,
    last_error TEXT,
    updated_at_ms BIGINT NOT NULL
);
CREATE INDEX gates_due ON gates (state, next_check_at_ms);
CREATE INDEX gates_repository ON gates (repository, state);

-- `/helmpilot approve|reject <env>` comments, by the delivery that brought them.
CREATE TABLE commands (
    delivery_id TEXT PRIMARY KEY,
    installation_id BIGINT NOT NULL,
    repository TEXT NOT NULL,
    issue_number BIGINT NOT NULL,
    environment TEXT NOT NULL,
    author TEXT NOT NULL,
    approve BIGINT NOT NULL,
    reason TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX commands_lookup ON commands (repository, environment, at);

-- The audit log: one answer per gate (who asked, what, when, why, which policy).
CREATE TABLE decisions (
    gate_id TEXT PRIMARY KEY,
    repository TEXT NOT NULL,
    environment TEXT NOT NULL,
    sha TEXT NOT NULL,
    git_ref TEXT NOT NULL,
    deployment_id BIGINT NOT NULL,
    requested_by TEXT NOT NULL,
    requested_at BIGINT NOT NULL,
    state TEXT NOT NULL,
    comment TEXT NOT NULL,
    policy_version TEXT NOT NULL,
    decided_by TEXT NOT NULL,
    decided_at_ms BIGINT NOT NULL
);
CREATE INDEX decisions_decided_at ON decisions (decided_at_ms);
CREATE INDEX decisions_repository ON decisions (repository, environment);
