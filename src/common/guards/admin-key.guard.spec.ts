import { NotFoundException, UnauthorizedException } from '@nestjs/common';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host';
import { loadConfig } from '../../config';
import { AdminKeyGuard, presentedAdminKey } from './admin-key.guard';

const KEY = 'correct-horse-battery-staple';

function contextWith(headers: Record<string, string>): ExecutionContextHost {
  return new ExecutionContextHost([{ method: 'DELETE', url: '/cache?model=spam-en', headers }, {}]);
}

function guard(adminKey: string | undefined): AdminKeyGuard {
  return new AdminKeyGuard(loadConfig(adminKey === undefined ? {} : { ADMIN_API_KEY: adminKey }));
}

describe(AdminKeyGuard.name, () => {
  it('admits the key in x-api-key', () => {
    expect(guard(KEY).canActivate(contextWith({ 'x-api-key': KEY }))).toBe(true);
  });

  it('admits the key as a bearer token', () => {
    expect(guard(KEY).canActivate(contextWith({ authorization: `Bearer ${KEY}` }))).toBe(true);
  });

  it.each([
    ['no key', {}],
    ['a wrong key', { 'x-api-key': 'wrong-key-of-some-length' }],
    ['a prefix of the key', { 'x-api-key': KEY.slice(0, -1) }],
    ['another scheme', { authorization: `Basic ${KEY}` }],
  ])('rejects %s with 401', (_, headers) => {
    expect(() => guard(KEY).canActivate(contextWith(headers))).toThrow(UnauthorizedException);
  });

  it('hides the route with 404 when no admin key is configured', () => {
    expect(() => guard(undefined).canActivate(contextWith({ 'x-api-key': KEY }))).toThrow(
      NotFoundException,
    );
  });
});

describe(presentedAdminKey.name, () => {
  it('prefers x-api-key over Authorization', () => {
    expect(presentedAdminKey({ 'x-api-key': 'a', authorization: 'Bearer b' })).toBe('a');
  });

  it('accepts any case of the Bearer scheme', () => {
    expect(presentedAdminKey({ authorization: 'bearer token' })).toBe('token');
  });
});
