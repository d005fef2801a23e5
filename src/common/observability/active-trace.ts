/**
 * The trace id of the sampled span the running code belongs to, for metrics that attach an
 * exemplar where the trace is not at hand (an ONNX run inside its batch's span). The tracing
 * module installs the source while tracing is on; it lives in `common` so metrics read it
 * without depending on the tracing module.
 */
let source: (() => string | undefined) | undefined;

export function useActiveTraceSource(next: (() => string | undefined) | undefined): void {
  source = next;
}

/** Undefined when tracing is off, outside any span, or in a trace the sampler dropped. */
export function activeSampledTraceId(): string | undefined {
  return source?.();
}
