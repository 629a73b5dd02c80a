/**
 * `npm ci`'s `prepare` step: removes node_modules/.bin/node, the link npm makes to the Lambda's Node.js binary
 * (build/lambda-node.ts, `shadowingNodeLink`), so `node` in npm scripts and npx stays the user's Node.js.
 */
import { rmSync } from 'node:fs';
import * as path from 'node:path';
import { shadowingNodeLink } from './lambda-node.ts';

const link = shadowingNodeLink(path.resolve(import.meta.dirname, '..'));
if (link !== undefined) rmSync(link);
