import type { BenchOptions } from './bench-options';
import type { ChildProcesses } from './child-processes';
import { runLoad, type BodySource } from './load-generator';
import type { Progress } from './progress';
import type { RunningServer } from './servers';
import type { BenchTexts } from './text-sets';

/** What every stage of a run shares. */
export interface StageContext {
  readonly options: BenchOptions;
  readonly children: ChildProcesses;
  readonly progress: Progress;
  readonly texts: BenchTexts;
  /** The distinct texts as a JSON file, for the ceiling child. */
  readonly textsFile: string;
}

const WARMUP_CONNECTIONS = 8;

/**
 * Unmeasured load before the first scenario: JIT, ONNX Runtime's first runs of each shape
 * and the allocator arenas settle here. A warm-up with errors stops the run: every later
 * number would be meaningless.
 */
export async function warmUp(
  context: StageContext,
  server: RunningServer,
  label: string,
  nextBody: BodySource,
): Promise<void> {
  const seconds = context.options.warmupS;
  context.progress.begin(`${label} · warm-up`, seconds);
  const outcome = await runLoad({
    url: `${server.baseUrl}/classify`,
    connections: WARMUP_CONNECTIONS,
    durationS: seconds,
    nextBody,
    onTick: (elapsed) => context.progress.tick(elapsed, seconds),
  });
  if (outcome.ok === 0 || outcome.errors > 0) {
    throw new Error(
      `${label}: warm-up got ${outcome.errors} errors (${outcome.non2xx} non-2xx) and ` +
        `${outcome.ok} good answers:\n${server.child.logTail()}`,
    );
  }
}
