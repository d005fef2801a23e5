/** How HAProxy probes `/ready`: the counterpart of a readinessProbe. */
export interface HealthCheckTimings {
  /** Between two checks of one server (periodSeconds). */
  readonly intervalMs: number;
  /** A check unanswered this long failed (timeoutSeconds). */
  readonly timeoutMs: number;
  /** Consecutive failed checks that take a server out (failureThreshold). */
  readonly fall: number;
  /** Consecutive passed checks that put it back (successThreshold). */
  readonly rise: number;
}

export interface HaproxyConfigInput {
  readonly port: number;
  readonly socketPath: string;
  readonly checks: HealthCheckTimings;
  readonly servers: ReadonlyArray<{ readonly name: string; readonly port: number }>;
}

/**
 * The balancer of the local cluster. Keep-alive on both sides, as a cloud load balancer or
 * an ingress controller runs. `retries 0` and no `retry-on`/`redispatch`: a Kubernetes Service
 * never retries a request, so neither does this balancer, and a failed request in the tests
 * is the replicas' own failure, not one HAProxy papered over.
 */
export function haproxyConfig({ port, socketPath, checks, servers }: HaproxyConfigInput): string {
  return `global
    maxconn 4000
    stats socket ${socketPath} mode 600 level admin

defaults
    mode http
    option http-keep-alive
    retries 0
    timeout connect 5s
    timeout client 60s
    timeout server 60s
    timeout http-keep-alive 30s
    timeout check ${checks.timeoutMs}ms

frontend sift
    bind 127.0.0.1:${port}
    default_backend replicas

backend replicas
    balance roundrobin
    option httpchk GET /ready
    http-check expect status 200
    default-server check inter ${checks.intervalMs}ms fall ${checks.fall} rise ${checks.rise}
${servers.map(({ name, port: serverPort }) => `    server ${name} 127.0.0.1:${serverPort}`).join('\n')}
`;
}
