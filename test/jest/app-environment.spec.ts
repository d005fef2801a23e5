import { describe, expect, it } from '@jest/globals';
import { removeAppVariables } from './app-environment';

describe(removeAppVariables.name, () => {
  it("removes the app's variables a shell may export and keeps everything else", () => {
    const env: NodeJS.ProcessEnv = {
      PATH: '/usr/bin',
      HOME: '/home/dev',
      REDIS_URL: 'redis://127.0.0.1:1',
      PORT: '1',
      LOG_LEVEL: 'debug',
      RATE_LIMIT: '1',
      INFERENCE_WORKER_SCRIPT: '/setup/worker.js',
      CHROMIUM_PATH: '/opt/chromium',
    };
    expect(removeAppVariables(env).sort()).toEqual([
      'LOG_LEVEL',
      'PORT',
      'RATE_LIMIT',
      'REDIS_URL',
    ]);
    expect(env).toEqual({
      PATH: '/usr/bin',
      HOME: '/home/dev',
      INFERENCE_WORKER_SCRIPT: '/setup/worker.js',
      CHROMIUM_PATH: '/opt/chromium',
    });
  });
});
