/**
 * The registry of message kinds: adding a kind is one file beside these, one line here, and its
 * templates and strings. It also answers the questions several places ask.
 */
import { RaliError } from '../errors';
import type { IcsMethod, Series } from '../model/series';
import { announce } from './announce';
import { cancel } from './cancel';
import { recording } from './recording';
import { reminder } from './reminder';
import type { KindRule } from './types';
import { update } from './update';

export type { KindContext, KindRule, Refusal, Verb, Flag } from './types';

const registry = new Map<string, KindRule>([announce, reminder, update, cancel, recording].map((k) => [k.name, k]));

/** Every kind, in the order of the registry. */
export function kinds(): KindRule[] {
  return [...registry.values()];
}

/** Adds a kind (a series' own, or a test's); its name must be new. */
export function registerKind(rule: KindRule): void {
  if (registry.has(rule.name)) throw new Error(`kind ${rule.name} is registered already`);
  registry.set(rule.name, rule);
}

/** Removes a kind added with registerKind (tests). */
export function unregisterKind(name: string): void {
  registry.delete(name);
}

export function kindRule(name: string): KindRule {
  const k = registry.get(name);
  if (!k)
    throw new RaliError(
      `no message kind "${name}" — the kinds are ${kinds()
        .map((x) => x.name)
        .join(', ')}`,
    );
  return k;
}

/** A kind the ledger holds rows of, if this rali knows it (a newer rali may have written others). */
export function knownKind(name: string): KindRule | undefined {
  return registry.get(name);
}

/** The kinds whose messages put the talk in the recipient's calendar: who holds it gets its updates and cancellation. */
export function calendarKinds(): string[] {
  return kinds()
    .filter((k) => k.holdsCalendar)
    .map((k) => k.name);
}

/** The kind that finishes a stored revision that did not reach everyone: the cancellation of a cancelled talk, else the update. */
export function finishing(stored: { status: string }): KindRule | undefined {
  return kinds().find((k) => k.finishes === stored.status);
}

/** The calendar method of a kind's messages in a series, or undefined when it carries no calendar part. */
export function methodFor(rule: KindRule, series: Pick<Series, 'icsMethod'>): IcsMethod | undefined {
  return rule.calendar === 'none' ? undefined : rule.calendar === 'CANCEL' ? 'CANCEL' : series.icsMethod;
}

/** The kinds sent by a verb of their own (announce, update, cancel, recording). */
export function sendingVerbs(): (KindRule & { verb: NonNullable<KindRule['verb']> })[] {
  return kinds().filter((k): k is KindRule & { verb: NonNullable<KindRule['verb']> } => k.verb !== undefined);
}
