/** What the gateway depends on and an alert rule can watch: losing one is an outage of its own. */
export const DEPENDENCIES = ['database', 'redis'] as const;
export type Dependency = (typeof DEPENDENCIES)[number];

/** A cheap check that a dependency answers (e.g. `SELECT 1`, `PING`); rejects when it does not. */
export interface DependencyProbe {
  name: Dependency;
  check(): Promise<unknown>;
}

/** A probe that has not answered in this long counts as failed (a dead host may never refuse). */
const PROBE_TIMEOUT_MS = 2_000;

/** Runs every probe at once; each dependency's error message, undefined where it answered. */
export async function probeDependencies(probes: readonly DependencyProbe[]): Promise<Map<Dependency, string | undefined>> {
  const results = await Promise.all(
    probes.map(async (probe): Promise<[Dependency, string | undefined]> => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${PROBE_TIMEOUT_MS} ms`)), PROBE_TIMEOUT_MS);
      });
      try {
        await Promise.race([probe.check(), timeout]);
        return [probe.name, undefined];
      } catch (error) {
        return [probe.name, error instanceof Error ? error.message : String(error)];
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  return new Map(results);
}
