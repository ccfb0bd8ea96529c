import type { HealthReport, HealthRow } from '../provisioning/observe/healthReport';
import type { Overview } from '../setup/overview';

const TITLES = { admin: 'partAdminTitle', integration: 'partIntegrationTitle', salespeople: 'partSalespeopleTitle' } as const;

/**
 * What `status` shows (the three parts) as a health report: one row per part, Part 3 counting the
 * salespeople who are not ready, a failing part fixed by setting it up.
 */
export function overviewReport(overview: Overview, environmentKey: string): HealthReport {
  return {
    at: new Date().toISOString(),
    environmentKey,
    rows: overview.parts.map((part): HealthRow => {
      const state = part.state === 'done' ? 'pass' : part.state === 'todo' ? 'fail' : 'unknown';
      const missing = part.details.find((d) => d.key === 'salespeopleTodo')?.vars?.missing;
      return {
        id: `part.${part.part}`,
        state,
        key: TITLES[part.part],
        ...(typeof missing === 'number' ? { count: missing } : {}),
        ...(state === 'fail' ? { fix: { kind: 'plan' as const, verb: 'setup.goto', data: { part: part.part } } } : {}),
      };
    }),
  };
}
