export const status = (..._a: unknown[]): number => { throw new Error('not implemented'); };
