export const x = (..._a: unknown[]): number => { throw new Error('not implemented'); };
export const exportTemplates = x;
