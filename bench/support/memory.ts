/**
 * Peak resident memory of bench processes (issue 20 item 5): VmHWM from /proc for processes a bench
 * spawned (the API, workers), and `process.resourceUsage().maxRSS` for the bench's own process. Each
 * is printed for people and as a `MEMORY {json}` line that bench/run.ts and bench/growth.ts collect.
 */
import { readFileSync } from 'node:fs';

export interface PeakRss {
  /** What the process is: 'API', 'worker', or the bench's own script. */
  process: string;
  pid: number;
  /** Peak resident set size in MB (10^6 bytes). */
  peakMB: number;
}

/** The kernel's high-water mark of a process's resident set (VmHWM), in MB; null once it has exited. */
export function peakRssOf(pid: number): number | null {
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8')
      .split('\n')
      .find((candidate) => candidate.startsWith('VmHWM:'));
    return line ? (Number(line.split(/\s+/)[1]) * 1024) / 1e6 : null;
  } catch {
    return null;
  }
}

/** This process's peak resident set so far, in MB. */
export function ownPeakRss(): number {
  return (process.resourceUsage().maxRSS * 1024) / 1e6;
}

export function printPeakRss(peak: PeakRss): void {
  console.log(`peak RSS of the ${peak.process} process ${peak.pid}: ${Math.round(peak.peakMB)} MB`);
  console.log(`MEMORY ${JSON.stringify({ ...peak, peakMB: Math.round(peak.peakMB) })}`);
}

/**
 * Samples a process's VmHWM until it exits, for a child whose /proc entry is gone by the time its
 * exit is seen: the last sample, at most `everyMs` old (VmHWM only grows).
 */
export function watchPeakRss(pid: number, everyMs = 500): { stop(): number | null } {
  let last: number | null = peakRssOf(pid);
  const timer = setInterval(() => {
    last = peakRssOf(pid) ?? last;
  }, everyMs);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      return last;
    },
  };
}

/** A table of the peaks collected from MEMORY lines. */
export function memoryTable(peaks: ReadonlyArray<PeakRss & { bench?: string }>): string {
  const header = ['bench', 'process', 'pid', 'peak RSS'];
  const rows = peaks.map((peak) => [peak.bench ?? '', peak.process, String(peak.pid), `${Math.round(peak.peakMB)} MB`]);
  return [header, header.map(() => '---'), ...rows].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}
