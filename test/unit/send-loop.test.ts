/**
 * The send loop against transports that misbehave in ways a real server rarely shows on cue:
 * one that never answers, one whose queue is still full when the run stops.
 */
import { deliver, DeliverOptions } from '../../src/delivery/loop';
import { Outcome } from '../../src/delivery/smtp-errors';
import { Transport } from '../../src/delivery/transport';

const items = (n: number) => Array.from({ length: n }, (_, i) => ({ key: `r${i}@x.org`, email: `r${i}@x.org`, langs: ['fr' as const] }));

function options(transport: Transport, n: number, extra: Partial<DeliverOptions> = {}): DeliverOptions {
  return {
    key: { uid: 'u', kind: 'announce', rev: '0' },
    seq: 0,
    items: items(n),
    transport,
    from: 'series@x.org',
    retries: 3,
    backoffMs: () => 1,
    watchdogMs: 300_000,
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    stopping: () => false,
    message: async () => ({ messageId: (i) => `<${i.key}>`, bytes: () => ({ raw: () => Buffer.from('x\r\n') }) }),
    ...extra,
  };
}

test('a server that never answers is not sent the same message again: the run stops, the recipient stays pending', async () => {
  const tries: string[] = [];
  const hung: Transport = {
    kind: 'smtp',
    where: 'relay',
    concurrency: 1,
    send: (env) => {
      tries.push(env.to);
      return new Promise<Outcome>(() => undefined);
    },
    close: async () => undefined,
  };
  const s = await deliver(options(hung, 3, { watchdogMs: 30 }));
  expect(tries).toEqual(['r0@x.org']);
  expect(s.sent).toBe(0);
  expect(s.fatal).toMatch(/no outcome from the server after .* it stopped answering/);
  expect(s.notAttempted).toBe(3);
});

test('once the run stops, messages still queued in the transport are given back, not sent', async () => {
  let halted = false;
  const started: string[] = [];
  // Three messages wait for a connection; the first outcome stops the run (a refusal of the sender).
  const queued: Transport = {
    kind: 'smtp',
    where: 'relay',
    concurrency: 4,
    send: async (env) => {
      await new Promise((r) => setTimeout(r, env.to === 'r0@x.org' ? 5 : 20));
      if (halted) return { ok: false, action: 'retry', stage: 'local', reply: 'not started', notStarted: true };
      started.push(env.to);
      return env.to === 'r0@x.org'
        ? { ok: false, action: 'stop', stage: 'mail', code: 553, reply: '553 5.7.1 sender rejected' }
        : { ok: true, reply: '250' };
    },
    halt: () => {
      halted = true;
    },
    close: async () => undefined,
  };
  const s = await deliver(options(queued, 4));
  expect(started).toEqual(['r0@x.org']);
  expect(s.sent).toBe(0);
  expect(s.fatal).toMatch(/553 5\.7\.1/);
  expect(s.notAttempted).toBe(4);
});
