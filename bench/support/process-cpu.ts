import { readFileSync } from 'node:fs';

/** CPU milliseconds used so far by these processes (Linux /proc, clock ticks of 10 ms); null when any is unreadable. */
export function processCpuMs(pids: readonly number[]): number | null {
  let total = 0;
  for (const pid of pids) {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      total += (Number(fields[11]) + Number(fields[12])) * 10;
    } catch {
      return null;
    }
  }
  return total;
}
