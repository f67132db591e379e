/**
 * The baselines, run in a child process: `node baseline.js naive|pooled PORT N SERIES_DIR [CONNECTIONS]`.
 * naive: one nodemailer transport, no pool, compose and send each message in turn (a mail-merge loop).
 * pooled: nodemailer's pooled transport, composing every message (no variant reuse), with
 * CONNECTIONS connections (default 5, nodemailer's own default) and twice as many messages queued.
 * Both send the same rendered message rali sends. Prints {count, seconds, rss} as JSON.
 */
import { join } from 'node:path';
import { DateTime } from 'luxon';
import { readSeries, readTalk } from '../src/model';
import { renderMessage } from '../src/render/message';
import { shapeOf } from '../src/delivery/planner';
import { kindRule } from '../src/kinds';
import { mailOptions, messageId } from '../src/render/mail';
import { PLACEHOLDER_KEYS } from '../src/model/tokens';
import { TemplateSet } from '../src/render/templates';

async function main() {
  const [mode, portText, nText, dir, connText] = process.argv.slice(2);
  const connections = Number(connText ?? 5);
  const port = Number(portText);
  const n = Number(nText);
  const series = readSeries(join(dir, 'rali.yaml'), dir).series!;
  const talk = readTalk(join(dir, 'talks/bench.yaml'), series, DateTime.fromISO('2030-01-01')).talk!;
  const now = DateTime.now();
  const rendered = renderMessage({
    series,
    talk,
    shape: shapeOf(kindRule('announce'), series),
    langs: series.languages,
    templates: new TemplateSet(undefined, dir),
    now,
    sequence: 0,
  });

  const nodemailer = require('nodemailer') as typeof import('nodemailer');
  const tx = nodemailer.createTransport(
    mode === 'pooled'
      ? { pool: true, host: '127.0.0.1', port, secure: false, maxConnections: connections, maxMessages: Infinity, ignoreTLS: true }
      : { host: '127.0.0.1', port, secure: false, ignoreTLS: true },
  );
  const t0 = process.hrtime.bigint();
  const one = (i: number) => {
    const to = `user${i}@example.org`;
    return tx.sendMail(mailOptions(series, rendered, to, messageId(series, talk, 'announce', '0', to, PLACEHOLDER_KEYS), now) as never);
  };
  if (mode === 'pooled') {
    let next = 0;
    await Promise.all(
      Array.from({ length: connections * 2 }, async () => {
        while (next < n) await one(next++);
      }),
    );
  } else {
    for (let i = 0; i < n; i++) await one(i);
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  tx.close();
  process.stdout.write(JSON.stringify({ count: n, seconds, rss: process.resourceUsage().maxRSS * 1024 }) + '\n');
}

main().catch((e) => {
  process.stderr.write(String(e?.stack ?? e) + '\n');
  process.exit(1);
});
