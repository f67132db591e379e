/** The SQLite ledger's schema: index i brings it from version i to i + 1. Never edit one that shipped. */
export const MIGRATIONS: string[] = [
  `CREATE TABLE talks (
     uid TEXT PRIMARY KEY,
     talk_id TEXT NOT NULL,
     sequence INTEGER NOT NULL DEFAULT 0,
     schedule TEXT,
     status TEXT NOT NULL DEFAULT 'scheduled',
     updated_at TEXT NOT NULL
   );
   CREATE TABLE deliveries (
     uid TEXT NOT NULL,
     kind TEXT NOT NULL,
     rev TEXT NOT NULL,
     recipient TEXT NOT NULL,
     status TEXT NOT NULL CHECK (status IN ('claimed', 'sent', 'pending', 'failed')),
     message_id TEXT,
     reply TEXT,
     attempts INTEGER NOT NULL DEFAULT 0,
     seq INTEGER,
     langs TEXT,
     run_id INTEGER,
     updated_at TEXT NOT NULL,
     PRIMARY KEY (uid, kind, rev, recipient)
   ) WITHOUT ROWID;
   CREATE TABLE suppressions (
     address TEXT PRIMARY KEY,
     reason TEXT NOT NULL,
     created_at TEXT NOT NULL
   );
   CREATE TABLE runs (
     id INTEGER PRIMARY KEY,
     command TEXT NOT NULL,
     pid INTEGER NOT NULL,
     host TEXT NOT NULL,
     started_at TEXT NOT NULL,
     ended_at TEXT,
     counts TEXT
   );
   CREATE TABLE reminders (
     uid TEXT NOT NULL,
     label TEXT NOT NULL,
     status TEXT NOT NULL CHECK (status IN ('sending', 'sent', 'skipped')),
     due_at TEXT NOT NULL,
     note TEXT,
     updated_at TEXT NOT NULL,
     PRIMARY KEY (uid, label)
   );
   CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);`,
  // A run's claims are alive while its lease is renewed (heartbeat), whatever its PID or host name:
  // a container restart gives the next run PID 1 and another host name. first_try_at bounds how
  // long a transient failure is retried by later runs.
  `ALTER TABLE runs ADD COLUMN heartbeat_at TEXT;
   ALTER TABLE deliveries ADD COLUMN first_try_at TEXT;
   CREATE INDEX deliveries_sent_at ON deliveries (status, updated_at);`,
  // The schedule before the latest revision: a run that finishes an update cut short says what
  // changed exactly as its first run did.
  `ALTER TABLE talks ADD COLUMN previous TEXT;`,
  // What `rali inbox` read (it made these on first use before; a ledger may have them already).
  `CREATE TABLE IF NOT EXISTS inbox_bounces (
     id INTEGER PRIMARY KEY, address TEXT NOT NULL, kind TEXT NOT NULL, reason TEXT NOT NULL,
     message_id TEXT, uid TEXT, at TEXT NOT NULL);
   CREATE INDEX IF NOT EXISTS inbox_bounces_address ON inbox_bounces (address, kind, at);
   CREATE INDEX IF NOT EXISTS inbox_bounces_uid ON inbox_bounces (uid);
   CREATE TABLE IF NOT EXISTS inbox_processed (key TEXT PRIMARY KEY, at TEXT NOT NULL, action TEXT NOT NULL);`,
  // rali serve: web sign-ups and the preferences of addresses of subscribers.csv, with their consent
  // (the sign-ups mailed and not yet confirmed are notes in meta, keyed by a keyed hash of the address).
  `CREATE TABLE subscriptions (
     address TEXT PRIMARY KEY,
     name TEXT,
     langs TEXT,
     status TEXT NOT NULL CHECK (status IN ('active', 'unsubscribed', 'paused')),
     paused_until TEXT,
     source TEXT NOT NULL,
     consent_at TEXT,
     consent_how TEXT,
     updated_at TEXT NOT NULL
   ) WITHOUT ROWID;`,
];
