export const send = (..._a: unknown[]): number => { throw new Error('not implemented'); };
