export const remind = (..._a: unknown[]): number => { throw new Error('not implemented'); };
