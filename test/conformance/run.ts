/**
 * `npm run test:conformance`: the contract tests (test/contract) and the documented-example tests
 * (test/conformance) run with the sandbox recording every request it receives; then every Graph
 * request recorded — each item of a `$batch` included — is checked against Microsoft Graph's own
 * v1.0 metadata, `../shared/conformance/graph/v1.0-Prod.csdl` (or GRAPH_CSDL). Every violation is
 * listed with the request and the tests that sent it. Extra arguments go to jest.
 *
 * Without the metadata file: outside CI the Graph check is skipped with a notice (the example
 * tests still run); with CI=true a missing file fails.
 *
 * `--with-integration` (what .ci/run passes) also records the integration tests (test/integration:
 * the bot driven end to end, every planner and action), so the Graph requests of whole runs are
 * checked too; without it the run takes seconds.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadCsdl } from './csdl';
import { GraphChecker } from './graphCheck';
import { checkAll, distinct, formatViolations, readRecordings, shape } from './recorded';

const root = path.resolve(__dirname, '..', '..');
const csdlFile = path.resolve(root, process.env.GRAPH_CSDL ?? '../shared/conformance/graph/v1.0-Prod.csdl');
const ci = process.env.CI === 'true';

const WITH_INTEGRATION = '--with-integration';
const args = process.argv.slice(2);
const withIntegration = args.includes(WITH_INTEGRATION);
const jestArgs = args.filter((a) => a !== WITH_INTEGRATION);

function runJest(paths: string[], env: NodeJS.ProcessEnv): number {
  const jest = require.resolve('jest/bin/jest');
  const result = spawnSync(process.execPath, [jest, ...paths, ...jestArgs], { cwd: root, env, stdio: 'inherit' });
  return result.status ?? 1;
}

function main(): number {
  if (!fs.existsSync(csdlFile)) {
    if (ci) {
      console.error(`conformance: Graph's metadata is missing at ${csdlFile}; CI needs ../shared/conformance beside the clone.`);
      return 1;
    }
    console.log(`conformance: ${csdlFile} is absent, so the Graph metadata check is skipped (outside CI). Running the documented-example tests only.`);
    return runJest(['test/conformance'], process.env) === 0 ? 0 : 1;
  }

  const recordDir = fs.mkdtempSync(path.join(os.tmpdir(), 'conformance-'));
  try {
    const suites = ['test/contract', 'test/conformance', ...(withIntegration ? ['test/integration'] : [])];
    console.log(`conformance: running ${suites.join(', ')} with the sandbox recording every request in ${recordDir}`);
    const jestStatus = runJest(suites, { ...process.env, SANDBOX_RECORD_DIR: recordDir });

    const started = Date.now();
    const checker = new GraphChecker(loadCsdl(csdlFile));
    const records = readRecordings(recordDir);
    const requests = distinct(records);
    const found = checkAll(checker, requests);
    const shapes = new Map<string, number>();
    for (const entry of requests) for (const s of shape(entry.request)) shapes.set(s, (shapes.get(s) ?? 0) + entry.count);
    const graphCount = requests.reduce((n, r) => n + r.count, 0);

    console.log(`\nconformance: Graph requests checked against ${path.relative(root, csdlFile)} (${Date.now() - started} ms)`);
    console.log(`  ${records.length} requests recorded, ${graphCount} to Graph (${requests.length} distinct); request shapes:`);
    for (const [s, n] of [...shapes].sort()) console.log(`    ${s}  ×${n}`);
    let failed = jestStatus !== 0;
    if (jestStatus !== 0) console.error('\nconformance: the tests themselves failed (see above).');
    if (graphCount === 0) {
      console.error('\nconformance: no Graph request was recorded, so nothing was checked; the recording is broken.');
      failed = true;
    }
    if (found.length > 0) {
      const total = found.reduce((n, f) => n + f.violations.length, 0);
      console.error(`\nconformance: ${total} violation(s) of Graph's metadata in ${found.length} request(s):\n`);
      console.error(formatViolations(found));
      failed = true;
    } else if (graphCount > 0) {
      console.log('\nconformance: every Graph request conforms to the metadata.');
    }
    return failed ? 1 : 0;
  } finally {
    fs.rmSync(recordDir, { recursive: true, force: true });
  }
}

process.exitCode = main();
