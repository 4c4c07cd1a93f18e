import { MultiBar, Presets, type SingleBar } from 'cli-progress';
import type { ImportProgress } from './import-summary';

/** Progress bars on stderr drawn from an import's progress: one bar per phase. */
export class ImportProgressBar {
  private readonly multibar: MultiBar;
  private bar: SingleBar | null = null;
  private phase: ImportProgress['phase'] | null = null;

  constructor(stream: NodeJS.WritableStream = process.stderr) {
    this.multibar = new MultiBar(
      {
        stream,
        clearOnComplete: false,
        hideCursor: true,
        format: '{phase} [{bar}] {percentage}% | {detail} | ETA {eta_formatted}',
        etaBuffer: 50,
      },
      Presets.shades_classic,
    );
  }

  /** Pass as the import's `onProgress`. */
  readonly update = (progress: ImportProgress): void => {
    const detail =
      progress.phase === 'score'
        ? `${progress.done.toLocaleString('en-US')} of ${progress.total.toLocaleString('en-US')} leads`
        : `${progress.rows.toLocaleString('en-US')} rows, ${progress.rejected} rejected`;
    if (progress.phase !== this.phase || !this.bar) {
      this.bar?.stop();
      this.phase = progress.phase;
      this.bar = this.multibar.create(Math.max(progress.total, 1), progress.done, { phase: progress.phase.padEnd(7), detail });
    } else {
      this.bar.update(progress.done, { detail });
    }
  };

  stop(): void {
    this.multibar.stop();
  }
}
