export const preview = (..._a: unknown[]): number => { throw new Error('not implemented'); };
