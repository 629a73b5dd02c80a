export const PLAN_SPEC = { name: 'plan', summary: 'x', usage: '', options: {} };
export async function planCommand(): Promise<number> { return 0; }
