/**
 * One subscription's pending events, as the async iterator graphql-js reads. Bounded: when a client
 * reads slower than events come, the oldest are dropped (for scores and progress the latest is what
 * matters). `ended` runs once, when the client completes, the connection closes or the server ends it.
 */
export class EventQueue<T> implements AsyncIterableIterator<T> {
  private items: T[] = [];
  private waiting: ((result: IteratorResult<T>) => void) | null = null;
  private finished = false;

  constructor(
    private readonly capacity: number,
    private readonly ended: () => void,
    /** Runs before each event is handed out (a fresh set of request loaders for its execution). */
    private readonly beforeEach: () => void = () => undefined,
  ) {}

  get closed(): boolean {
    return this.finished;
  }

  push(item: T): void {
    if (this.finished) return;
    if (this.waiting) {
      const resolve = this.waiting;
      this.waiting = null;
      this.beforeEach();
      resolve({ value: item, done: false });
      return;
    }
    this.items.push(item);
    if (this.items.length > this.capacity) this.items.shift();
  }

  /** Ends the stream after the events already queued. */
  finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.ended();
    if (this.waiting && this.items.length === 0) {
      const resolve = this.waiting;
      this.waiting = null;
      resolve({ value: undefined, done: true });
    }
  }

  next(): Promise<IteratorResult<T>> {
    const item = this.items.shift();
    if (item !== undefined) {
      this.beforeEach();
      return Promise.resolve({ value: item, done: false });
    }
    if (this.finished) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => {
      this.waiting = resolve;
    });
  }

  return(): Promise<IteratorResult<T>> {
    this.items = [];
    this.finish();
    return Promise.resolve({ value: undefined, done: true });
  }

  throw(error: unknown): Promise<IteratorResult<T>> {
    this.items = [];
    this.finish();
    return Promise.reject(error);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
