/**
 * The PostgreSQL ledger's schema: index i brings it from version i to i + 1 (the version is the one
 * row of rali_schema). Never edit one that shipped.
 *
 * Several series share one database: every table has `series` (the series id) first in its key,
 * and every query names it. Text that is compared or sorted is COLLATE "C" (bytes, as SQLite
 * compares), whatever the database's locale. Moments the ledger makes are timestamptz (the
 * database's clock, see runs.ts); strings the caller gives (a reminder's due moment, an inbox
 * message's date) are kept as given.
 */
export const PG_MIGRATIONS: string[] = [
  `CREATE TABLE rali_series (
     series TEXT COLLATE "C" PRIMARY KEY,
     created_at TIMESTAMPTZ NOT NULL DEFAULT now()
   );
   CREATE TABLE rali_talks (
     series TEXT COLLATE "C" NOT NULL,
     uid TEXT COLLATE "C" NOT NULL,
     talk_id TEXT COLLATE "C" NOT NULL,
     sequence INTEGER NOT NULL DEFAULT 0,
     schedule TEXT,
     previous TEXT,
     status TEXT NOT NULL DEFAULT 'scheduled',
     updated_at TIMESTAMPTZ NOT NULL,
     PRIMARY KEY (series, uid)
   );
   CREATE TABLE rali_runs (
     series TEXT COLLATE "C" NOT NULL,
     id INTEGER GENERATED ALWAYS AS IDENTITY,
     command TEXT NOT NULL,
     pid INTEGER NOT NULL,
     host TEXT NOT NULL,
     started_at TIMESTAMPTZ NOT NULL,
     heartbeat_at TIMESTAMPTZ,
     ended_at TIMESTAMPTZ,
     counts TEXT,
     PRIMARY KEY (series, id)
   );
   CREATE INDEX rali_runs_open ON rali_runs (series, heartbeat_at) WHERE ended_at IS NULL;
   CREATE TABLE rali_deliveries (
     series TEXT COLLATE "C" NOT NULL,
     uid TEXT COLLATE "C" NOT NULL,
     kind TEXT COLLATE "C" NOT NULL,
     rev TEXT COLLATE "C" NOT NULL,
     recipient TEXT COLLATE "C" NOT NULL,
     status TEXT NOT NULL CHECK (status IN ('claimed', 'sent', 'pending', 'failed')),
     message_id TEXT COLLATE "C",
     reply TEXT,
     attempts INTEGER NOT NULL DEFAULT 0,
     seq INTEGER,
     langs TEXT,
     run_id INTEGER,
     first_try_at TIMESTAMPTZ,
     updated_at TIMESTAMPTZ NOT NULL,
     PRIMARY KEY (series, uid, kind, rev, recipient)
   );
   CREATE INDEX rali_deliveries_sent_at ON rali_deliveries (series, status, updated_at);
   CREATE INDEX rali_deliveries_run ON rali_deliveries (series, run_id) WHERE status = 'claimed';
   CREATE INDEX rali_deliveries_message_id ON rali_deliveries (series, message_id);
   CREATE TABLE rali_suppressions (
     series TEXT COLLATE "C" NOT NULL,
     address TEXT COLLATE "C" NOT NULL,
     reason TEXT NOT NULL,
     created_at TIMESTAMPTZ NOT NULL,
     PRIMARY KEY (series, address)
   );
   CREATE TABLE rali_reminders (
     series TEXT COLLATE "C" NOT NULL,
     uid TEXT COLLATE "C" NOT NULL,
     label TEXT COLLATE "C" NOT NULL,
     status TEXT NOT NULL CHECK (status IN ('sending', 'sent', 'skipped')),
     due_at TEXT NOT NULL,
     note TEXT,
     updated_at TIMESTAMPTZ NOT NULL,
     PRIMARY KEY (series, uid, label)
   );
   CREATE TABLE rali_meta (
     series TEXT COLLATE "C" NOT NULL,
     name TEXT COLLATE "C" NOT NULL,
     value TEXT NOT NULL,
     PRIMARY KEY (series, name)
   );
   CREATE TABLE rali_inbox_bounces (
     series TEXT COLLATE "C" NOT NULL,
     id INTEGER GENERATED ALWAYS AS IDENTITY,
     address TEXT COLLATE "C" NOT NULL,
     kind TEXT NOT NULL,
     reason TEXT NOT NULL,
     message_id TEXT,
     uid TEXT COLLATE "C",
     at TEXT COLLATE "C" NOT NULL,
     PRIMARY KEY (series, id)
   );
   CREATE INDEX rali_inbox_bounces_address ON rali_inbox_bounces (series, address, kind, at);
   CREATE INDEX rali_inbox_bounces_uid ON rali_inbox_bounces (series, uid);
   CREATE TABLE rali_inbox_processed (
     series TEXT COLLATE "C" NOT NULL,
     key TEXT COLLATE "C" NOT NULL,
     at TEXT NOT NULL,
     action TEXT NOT NULL,
     PRIMARY KEY (series, key)
   );`,
  // rali serve: web sign-ups and the preferences of addresses of subscribers.csv, with their consent
  // (the sign-ups mailed and not yet confirmed are notes in rali_meta, keyed by a keyed hash of the address).
  `CREATE TABLE rali_subscriptions (
     series TEXT COLLATE "C" NOT NULL,
     address TEXT COLLATE "C" NOT NULL,
     name TEXT,
     langs TEXT,
     status TEXT NOT NULL CHECK (status IN ('active', 'unsubscribed', 'paused')),
     paused_until TIMESTAMPTZ,
     source TEXT NOT NULL,
     consent_at TIMESTAMPTZ,
     consent_how TEXT,
     updated_at TIMESTAMPTZ NOT NULL,
     PRIMARY KEY (series, address)
   );`,
];
