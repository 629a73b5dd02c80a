export const INSPECT_SPEC = { name: 'inspect', summary: 'x', usage: '', options: {} };
export async function inspectCommand(): Promise<number> { return 0; }
