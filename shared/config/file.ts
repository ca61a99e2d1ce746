import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { EdgepassError } from '../cloudfront/errors';
import { parseConfig } from './parse';
import type { EdgepassConfig } from './schema';

/** Default location of the configuration, relative to the working directory. */
export const DEFAULT_CONFIG_FILE = 'edgepass.config.json';

/**
 * Reads and validates a JSON configuration file for a stage; `publicKeyFile` paths are relative to
 * the file. Node-only: the edge bundle receives the result baked in, never this code.
 */
export function loadConfigFile(file: string = DEFAULT_CONFIG_FILE, stage?: string): EdgepassConfig {
  const path = resolve(file);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new EdgepassError('INVALID_CONFIG', `edgepass config: cannot read ${path}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return parseConfig(raw, stage, (keyFile) => {
    const keyPath = resolve(dirname(path), keyFile);
    try {
      return readFileSync(keyPath, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'error';
      // The usual first run: the configuration names a key that was never generated.
      const fix =
        code === 'ENOENT'
          ? `; create it with \`npx edgepass keys generate --out ${dirname(keyPath)}\` (and upload public.pem to CloudFront) or fix the path`
          : '';
      throw new Error(`cannot read ${keyPath} (${code})${fix}`);
    }
  });
}
