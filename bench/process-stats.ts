import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Kernel clock ticks per second, the unit of utime/stime in /proc/<pid>/stat. */
const CLOCK_TICKS = ((): number => {
  try {
    const value = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return Number.isInteger(value) && value > 0 ? value : 100;
  } catch {
    // Linux has used 100 on every mainstream architecture for decades.
    return 100;
  }
})();

/** User + system CPU seconds of a process (all its threads), or undefined once it is gone. */
export function cpuSeconds(pid: number): number | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name may contain spaces and parentheses: fields are counted after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 14 and 15 of proc(5) are utime and stime; fields[0] here is field 3.
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return (utime + stime) / CLOCK_TICKS;
}

/** A `Vm*` line of /proc/<pid>/status in MiB, or undefined once the process is gone. */
export function statusMiB(pid: number, field: 'VmRSS' | 'VmHWM'): number | undefined {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
  return match === null ? undefined : Number(match[1]) / 1024;
}

/**
 * Watches a process while a scenario runs: CPU use over the window and the highest RSS
 * seen by polling (VmHWM would only give the high-water mark since the process started).
 */
export class ProcessWatch {
  private readonly startCpu: number | undefined;
  private readonly startedAt = performance.now();
  private readonly selfStart = process.cpuUsage();
  private peakRss: number | undefined;
  private readonly timer: NodeJS.Timeout | undefined;
  readonly samples: number[] = [];

  constructor(
    private readonly pid: number | undefined,
    intervalMs = 250,
  ) {
    this.startCpu = pid === undefined ? undefined : cpuSeconds(pid);
    if (pid !== undefined) {
      this.sample();
      this.timer = setInterval(() => this.sample(), intervalMs);
    }
  }

  private sample(): void {
    if (this.pid === undefined) return;
    const rss = statusMiB(this.pid, 'VmRSS');
    if (rss === undefined) return;
    this.samples.push(rss);
    if (this.peakRss === undefined || rss > this.peakRss) this.peakRss = rss;
  }

  finish(): { cpuPercent: number | null; selfCpuPercent: number; peakRssMiB: number | null } {
    clearInterval(this.timer);
    this.sample();
    const wallS = (performance.now() - this.startedAt) / 1000;
    const endCpu = this.pid === undefined ? undefined : cpuSeconds(this.pid);
    const cpuPercent =
      this.startCpu === undefined || endCpu === undefined || wallS <= 0
        ? null
        : ((endCpu - this.startCpu) / wallS) * 100;
    const self = process.cpuUsage(this.selfStart);
    return {
      cpuPercent,
      selfCpuPercent: wallS <= 0 ? 0 : ((self.user + self.system) / 1e6 / wallS) * 100,
      peakRssMiB: this.peakRss ?? null,
    };
  }
}
