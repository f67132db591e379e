/** The refusals kinds share: each reads the context and returns the catalogue's message, or nothing. */
import { refusals as M } from '../messages';
import type { Refusal } from './types';

export const noRecordingLink: Refusal = (c) => (c.talk.recording ? undefined : M.noRecording(c.talk.display));

/** Before the talk, the follow-up would reach subscribers too early; a rehearsal (a dry run, a test copy, the outbox) may go. */
export const notHappenedYet: Refusal = (c) =>
  c.talk.start > c.now && !c.force && c.recorded && !c.dryRun ? M.notHappenedYet(c.talk.display, c.talk.start.toISODate()!) : undefined;

/** A cancelled talk gets nothing but its cancellation. */
export const cancelledTalk =
  (nothingTo: string): Refusal =>
  (c) =>
    c.talk.status === 'cancelled' ? M.cancelled(c.talk.display, nothingTo) : undefined;

export const inThePast: Refusal = (c) =>
  c.recorded && c.talk.start < c.now && !c.force ? M.past(c.talk.display, c.talk.start.toISODate()!) : undefined;

/** The date, time or place changed since the last message: those who have it need the update first. */
export const changedSinceLastMessage: Refusal = (c) =>
  !c.recorded || !c.changed.length
    ? undefined
    : c.changed.includes('status') && c.storedCancelled
      ? M.reinstated(c.talk.display)
      : M.changed(c.talk.display, c.changed);

export const neverAnnounced =
  (message: (talk: string) => string): Refusal =>
  (c) =>
    c.recorded && !c.announced ? message(c.talk.display) : undefined;
