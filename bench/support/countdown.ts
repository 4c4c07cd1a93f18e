/**
 * Counts events (messages received, sockets opened) and resolves when a count is reached: the
 * benches wait on the events themselves, never by polling on a timer. `deadlineMs` only bounds a
 * wait that would otherwise hang when something is lost.
 */
export class Countdown {
  private count = 0;
  private waiting: { target: number; resolve: () => void } | null = null;

  get value(): number {
    return this.count;
  }

  reset(): void {
    this.count = 0;
  }

  add(): void {
    this.count += 1;
    if (this.waiting && this.count >= this.waiting.target) {
      this.waiting.resolve();
      this.waiting = null;
    }
  }

  reached(target: number, what: string, deadlineMs = 60_000): Promise<void> {
    if (this.count >= target) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const deadline = setTimeout(() => {
        this.waiting = null;
        reject(new Error(`timed out waiting until ${what} (${this.count} of ${target})`));
      }, deadlineMs);
      this.waiting = {
        target,
        resolve: () => {
          clearTimeout(deadline);
          resolve();
        },
      };
    });
  }
}
