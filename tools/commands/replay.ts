export const REPLAY_SPEC = { name: 'replay', summary: 'x', usage: '', options: {} };
export async function replayCommand(): Promise<number> { return 0; }
