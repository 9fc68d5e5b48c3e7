#!/usr/bin/env node
// The `genesys-bridge` command: runs the built bundle (dist/bin/), rebuilt first in a checkout whose
// sources are newer. No TypeScript tooling is needed at run time.
import { launch } from './launch.mjs';

await launch('genesys-bridge');
