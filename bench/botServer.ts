/** The product's bot alone (no sandbox child, no Playground), for the load test. Prints {"url": …}. */
import { loadConfig, readEnv } from '../src/config';
import { createLogger } from '../src/log';
import { startBot } from '../src/main';

async function main(): Promise<void> {
  const config = loadConfig({ ...readEnv(), PORT: '0' });
  const bot = await startBot(config, createLogger({ level: config.logLevel }));
  process.stdout.write(`${JSON.stringify({ url: bot.url })}\n`);
  const stop = () => void bot.close().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench bot failed: ${String(error)}\n`);
  process.exit(1);
});
