import { createApp } from './stack.ts';

createApp();
