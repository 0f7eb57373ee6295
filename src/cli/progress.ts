import cliProgress from 'cli-progress';
import type { ProgressEvent } from '../models/recommender.js';

/**
 * Progress bars on stderr (so `--json` output on stdout stays clean). On a terminal: a live bar with
 * ETA; otherwise (CI, pipes) a line every few seconds. `quiet` turns them off.
 */
export class Progress {
  private bar: cliProgress.SingleBar | null = null;
  private label = '';
  private readonly quiet: boolean;
  private readonly tty: boolean;
  private lastLine = 0;
  private started = 0;

  constructor(quiet = false) {
    this.quiet = quiet;
    this.tty = !!process.stderr.isTTY;
  }

  /** Starts or updates the bar for `label` at done/total, with optional extra figures. */
  update(label: string, done: number, total: number, extra: Record<string, number | undefined> = {}): void {
    if (this.quiet) return;
    const info = Object.entries(extra)
      .filter(([, v]) => v !== undefined && Number.isFinite(v))
      .map(([k, v]) => `${k} ${fmt(v as number)}`)
      .join('  ');
    if (!this.tty) {
      // Not a terminal (CI, pipes): a plain line every 5 s per long-running step, nothing for quick ones.
      const now = performance.now();
      if (label !== this.label) {
        this.label = label;
        this.started = now;
        this.lastLine = now;
        return;
      }
      if (now - this.lastLine >= 5000 && done < total) {
        this.lastLine = now;
        const rate = done / Math.max(now - this.started, 1);
        const eta = rate > 0 ? Math.round((total - done) / rate / 1000) : NaN;
        process.stderr.write(`${label}: ${done}/${total} (${Math.round((100 * done) / Math.max(total, 1))}%) ETA ${Number.isFinite(eta) ? `${eta}s` : '?'}${info ? `  ${info}` : ''}\n`);
      }
      return;
    }
    if (!this.bar || label !== this.label) {
      this.stop();
      this.label = label;
      this.bar = new cliProgress.SingleBar(
        {
          format: `${label.padEnd(28).slice(0, 28)} [{bar}] {percentage}% | {value}/{total} | ETA {eta_formatted} | {info}`,
          stream: process.stderr,
          barsize: 24,
          hideCursor: false,
          noTTYOutput: true,
          notTTYSchedule: 5000,
          etaBuffer: 20,
        },
        cliProgress.Presets.shades_classic,
      );
      this.bar.start(Math.max(total, 1), done, { info });
    } else {
      this.bar.setTotal(Math.max(total, 1));
      this.bar.update(done, { info });
    }
    if (done >= total) this.stop();
  }

  /** Adapter for a model's onProgress. */
  forModel(prefix: string): (e: ProgressEvent) => void {
    return (e) => this.update(`${prefix} ${e.phase}`, e.done, e.total, { loss: e.loss, ...(e.metrics ?? {}) });
  }

  /** Adapter for byte-count progress of loaders. */
  forBytes(label: string): (read: number, total: number | null) => void {
    return (read, total) => this.update(label, Math.round(read / 1048576), Math.max(1, Math.round((total ?? read) / 1048576)));
  }

  stop(): void {
    if (this.bar) {
      this.bar.stop();
      this.bar = null;
    }
  }

  /** A line of information on stderr. */
  note(msg: string): void {
    if (this.quiet) return;
    this.stop();
    process.stderr.write(`${msg}\n`);
  }
}

function fmt(v: number): string {
  return Math.abs(v) >= 100 || Number.isInteger(v) ? String(Math.round(v * 100) / 100) : v.toPrecision(4);
}
