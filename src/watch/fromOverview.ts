import type { Overview } from '../setup/overview';
import type { WatchRow, WatchSnapshot } from './compare';

/** The snapshot of what `status` shows: one row per part, Part 3 counting the salespeople not ready. */
export function overviewSnapshot(overview: Overview): WatchSnapshot {
  return {
    rows: overview.parts.map((part): WatchRow => {
      const state = part.state === 'done' ? 'pass' : part.state === 'todo' ? 'fail' : 'unknown';
      const missing = part.details.find((d) => d.key === 'salespeopleTodo')?.vars?.missing;
      return { id: part.part, state, ...(typeof missing === 'number' ? { count: missing } : {}) };
    }),
  };
}
