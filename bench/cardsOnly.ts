import { measureCards } from './cards';
measureCards(process.env.BOT_URL!, { salespeople: Number(process.env.N), admins: Number(process.env.ADMINS ?? 10), rounds: Number(process.env.ROUNDS ?? 3) })
  .then((r) => process.stdout.write(`${JSON.stringify(r)}\n`))
  .catch((e: unknown) => { process.stderr.write(`${String(e instanceof Error ? e.stack : e)}\n`); process.exit(1); });
