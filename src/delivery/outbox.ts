/** The outbox: each message written to outbox/<talk-id>/<kind>/<recipient>.eml; nothing leaves the machine. */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXIT_UNDELIVERED, RaliError } from '../errors';
import { outboxFileName } from '../model/address';
import type { Outcome } from './smtp-errors';
import type { Envelope, Transport, WireMessage } from './transport';

function outboxProblem(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOSPC' || code === 'EDQUOT') return 'the disk is full — free some space and run again';
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS')
    return 'cannot be written (permissions, or a read-only disk) — check the folder and run again';
  return `${(e as Error).message} — check the folder and the disk, then run again`;
}

export class OutboxTransport implements Transport {
  readonly kind = 'outbox' as const;
  readonly concurrency = 8;
  constructor(
    readonly dir: string,
    readonly where: string,
  ) {
    // The folder mirrors the latest run of this kind: a stale copy would mislead.
    try {
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir, { recursive: true });
    } catch (e) {
      throw new RaliError(`${where}: ${outboxProblem(e)}`, EXIT_UNDELIVERED);
    }
  }

  async send(_envelope: Envelope, message: WireMessage, name: string): Promise<Outcome> {
    const raw = message.raw();
    const file = join(this.dir, outboxFileName(name));
    try {
      writeFileSync(file, raw);
    } catch (e) {
      rmSync(file, { force: true }); // no half-written .eml left to mislead
      return { ok: false, action: 'stop', stage: 'local', reply: `${file}: ${outboxProblem(e)}` };
    }
    return { ok: true, reply: `written to ${file}` };
  }

  async close(): Promise<void> {
    /* nothing to close */
  }
}
