import { describe, expect, it } from '@jest/globals';
import { planSessions, type SessionPlanInput } from './session-plan';

const TWO_CORES: SessionPlanInput = {
  executionProviders: ['cpu'],
  workers: 2,
  intraOpThreads: 0,
  interOpThreads: 0,
  cpu: { cores: 2 },
};

describe('planSessions', () => {
  it('splits the cores between workers and keeps a solo session with all of them', () => {
    const plan = planSessions(TWO_CORES);
    expect(plan.shared).toMatchObject({ intraOpThreads: 1, allowSpinning: false });
    // A count, never 0 (ONNX Runtime's own default, slower for a lone run on the 2-vCPU VM).
    expect(plan.solo).toMatchObject({ intraOpThreads: 2, allowSpinning: true });
  });

  it('caps every session by a container CPU limit', () => {
    const plan = planSessions({ ...TWO_CORES, workers: 2, cpu: { cores: 4 } });
    expect(plan.shared.intraOpThreads).toBe(2);
    expect(plan.solo?.intraOpThreads).toBe(4);
    const single = planSessions({ ...TWO_CORES, workers: 1, cpu: { cores: 3 } });
    expect(single.shared.intraOpThreads).toBe(3);
    expect(single.solo).toBeUndefined();
  });

  it('needs no solo session with one worker or one core', () => {
    expect(planSessions({ ...TWO_CORES, workers: 1 }).solo).toBeUndefined();
    expect(planSessions({ ...TWO_CORES, cpu: { cores: 1 } }).solo).toBeUndefined();
  });

  it('uses ORT_INTRA_OP_THREADS as given, for every session', () => {
    const plan = planSessions({ ...TWO_CORES, intraOpThreads: 3, interOpThreads: 2 });
    expect(plan.shared).toMatchObject({ intraOpThreads: 3, interOpThreads: 2 });
    expect(plan.solo).toBeUndefined();
  });

  it('keeps spinning on for the session on the event loop (nothing else shares its cores)', () => {
    const plan = planSessions({ ...TWO_CORES, workers: 0 });
    expect(plan.shared).toMatchObject({ intraOpThreads: 2, allowSpinning: true });
    expect(plan.solo).toBeUndefined();
  });
});
