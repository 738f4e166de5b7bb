/**
 * Best of N child runs, shared by the bench sections: other load on the machine only slows a
 * run down, so the fastest run is the measurement, and the peak RSS is the largest seen (the
 * conservative side). A failed run's result is returned as is.
 */
export interface TimedRun {
  seconds?: number;
  maxRssMiB?: number;
  error?: string;
}

export function bestOf<T extends TimedRun>(runs: number, once: () => T): T {
  const all = Array.from({ length: runs }, once);
  const failed = all.find((r) => r.error !== undefined);
  if (failed !== undefined) return failed;
  const best = all.reduce((a, b) => (b.seconds! < a.seconds! ? b : a));
  return { ...best, maxRssMiB: Math.max(...all.map((r) => r.maxRssMiB!)) };
}
