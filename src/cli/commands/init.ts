import { writeFile } from 'node:fs/promises';
import { UsageError } from '../../core/errors.js';
import { EXIT } from '../../core/exit-codes.js';
import { STARTER_CONFIG } from '../../doctor/init.js';
import { write } from '../run.js';

export async function initCommand(file: string, opts: { force?: boolean }): Promise<number> {
  if (file === '-') {
    await write(process.stdout, STARTER_CONFIG);
    return EXIT.OK;
  }
  try {
    await writeFile(file, STARTER_CONFIG, { flag: opts.force ? 'w' : 'wx', mode: 0o644 });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new UsageError(`${file} exists already: use --force to overwrite it`);
    throw new UsageError(`cannot write ${file}: ${code ?? (e as Error).message}`);
  }
  await write(process.stderr, `xfed: wrote ${file}; edit it, then run: xfed doctor --config ${file}\n`);
  return EXIT.OK;
}
