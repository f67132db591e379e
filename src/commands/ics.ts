export const ics = (..._a: unknown[]): number => { throw new Error('not implemented'); };
