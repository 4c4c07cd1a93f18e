import { availableParallelism } from 'node:os';

/**
 * Bounds password hashing: scrypt runs on libuv's thread pool (4 threads by default), which file
 * access, DNS lookups and other crypto share. At most `concurrency` hashes run at once; callers
 * queue in order, at most `perSource` per source (address) waiting or running and at most
 * `maxWaiting` in all. Beyond that `tryEnter` refuses at once, so a flood from one address cannot
 * queue ahead of everybody else's sign-in.
 */
export interface HashingGateOptions {
  concurrency: number;
  perSource: number;
  maxWaiting: number;
}

/** One core stays free for the event loop: on a 2-core machine, hashes run one at a time. */
export const HASHING_GATE_DEFAULTS: HashingGateOptions = {
  concurrency: Math.max(1, Math.min(2, availableParallelism() - 1)),
  perSource: 2,
  maxWaiting: 16,
};

export class HashingGate {
  private running = 0;
  private readonly waiting: Array<() => void> = [];
  private readonly perSource = new Map<string, number>();

  constructor(private readonly options: HashingGateOptions = HASHING_GATE_DEFAULTS) {}

  /** Runs `work` when a slot is free; null (nothing run) when the source or the queue is full. */
  async tryRun<T>(source: string, work: () => Promise<T>): Promise<{ value: T } | null> {
    const held = this.perSource.get(source) ?? 0;
    if (held >= this.options.perSource) return null;
    if (this.running >= this.options.concurrency && this.waiting.length >= this.options.maxWaiting) return null;
    this.perSource.set(source, held + 1);
    try {
      if (this.running >= this.options.concurrency) await new Promise<void>((resolve) => this.waiting.push(resolve));
      else this.running += 1;
      try {
        return { value: await work() };
      } finally {
        const next = this.waiting.shift();
        if (next)
          next(); // the slot passes on as it is
        else this.running -= 1;
      }
    } finally {
      const left = (this.perSource.get(source) ?? 1) - 1;
      if (left > 0) this.perSource.set(source, left);
      else this.perSource.delete(source);
    }
  }
}
