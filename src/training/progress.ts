// Progress of a training loop: a cli-progress bar with the latest loss/reward and an ETA on a TTY,
// plain log lines (about every 5 % and at the end) otherwise, so logs of CI and nohup runs stay short.
import cliProgress from 'cli-progress';

export interface Progress {
  update(done: number, values: Record<string, number>): void;
  stop(): void;
}

export type Logger = (line: string) => void;

function format(values: Record<string, number>): string {
  return Object.entries(values).map(([k, v]) => `${k} ${Number.isInteger(v) ? v : v.toFixed(4)}`).join(' ');
}

export function progress(label: string, total: number, log: Logger = (l) => console.error(l), tty = process.stderr.isTTY): Progress {
  const started = Date.now();
  if (tty) {
    const bar = new cliProgress.SingleBar(
      { format: `${label} [{bar}] {value}/{total} {info} | ETA {eta_formatted}`, stream: process.stderr, hideCursor: true, etaBuffer: 20 },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, 0, { info: '' });
    return {
      update: (done, values) => bar.update(done, { info: format(values) }),
      stop: () => bar.stop(),
    };
  }
  const every = Math.max(1, Math.round(total / 20));
  let next = 1; // log the first update, then about every 5 %, and the last
  return {
    update(done, values) {
      if (done < next && done !== total) return;
      next = Math.floor(done / every) * every + every;
      const secs = (Date.now() - started) / 1000;
      const eta = done > 0 ? (secs / done) * (total - done) : 0;
      log(`${label} ${done}/${total} ${format(values)} (${secs.toFixed(0)} s, eta ${eta.toFixed(0)} s)`);
    },
    stop() {},
  };
}
