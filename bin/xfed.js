#!/usr/bin/env node
// The xfed entry point: everything lives in the built CLI.
import { main } from '../dist/src/cli/main.js';

await main(process.argv);
