/**
 * The sandbox tenant for the benchmark, in its own process (its RSS apart from the provisioning
 * process's) and in memory only (stateFile null): the state file is written after every change,
 * which at thousands of users would make the sandbox, not the runner, the bottleneck.
 *
 *   BENCH_SANDBOX_PORT=0 tsx bench/sandbox.ts   → prints {"url": …} once listening
 */
import { startSandbox } from '../src/sandbox';

async function main(): Promise<void> {
  const handle = await startSandbox({ port: Number(process.env.BENCH_SANDBOX_PORT ?? 0), host: '127.0.0.1', stateFile: null });
  process.stdout.write(`${JSON.stringify({ url: handle.url })}\n`);
  const stop = () => void handle.close().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench sandbox failed: ${String(error)}\n`);
  process.exit(1);
});
