/**
 * The sandbox's `record` option for a test file: with SANDBOX_RECORD_DIR set (`npm run
 * test:conformance` sets it), the sandbox appends every request it receives to
 * `<dir>/<test file>.jsonl`, each labelled with the test file and the running test's name.
 */
import * as path from 'node:path';
import type { RecordOptions } from '../../src/sandbox';

export function sandboxRecording(): RecordOptions | undefined {
  const dir = process.env.SANDBOX_RECORD_DIR;
  if (!dir) return undefined;
  const file = path.basename(expect.getState().testPath ?? `pid-${process.pid}`);
  return { file: path.join(dir, `${file}.jsonl`), label: () => `${file} › ${expect.getState().currentTestName ?? '(outside a test)'}` };
}
