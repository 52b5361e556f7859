import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LockstepSettingsError, resolveSettings } from '../src/util/settings.js';

const CWD = path.resolve('/project');

describe('resolveSettings', () => {
  it('defaults to no lock types when there are no settings', () => {
    expect(resolveSettings({}, CWD).lockTypes).toEqual([]);
  });

  it("applies the analyzer config's defaults and resolves relative modules against the working directory", () => {
    const settings = { lockstep: { lockTypes: [{ name: 'JobLock', module: './src/job-lock.ts', acquire: ['lock'], release: ['unlock'] }] } };
    expect(resolveSettings(settings, CWD).lockTypes).toEqual([
      {
        name: 'JobLock',
        module: path.join(CWD, 'src', 'job-lock.ts'),
        flavor: 'mutex',
        acquire: ['lock'],
        tryAcquire: [],
        release: ['unlock'],
        scoped: [],
        hold: [],
      },
    ]);
  });

  it('keeps a package name as written', () => {
    const settings = { lockstep: { lockTypes: [{ name: 'Gate', module: 'my-locks', flavor: 'semaphore', acquire: ['enter'] }] } };
    expect(resolveSettings(settings, CWD).lockTypes[0]).toMatchObject({ module: 'my-locks', flavor: 'semaphore' });
  });

  it('returns the same result for the same settings object', () => {
    const settings = { lockstep: { lockTypes: [{ name: 'JobLock', acquire: ['lock'] }] } };
    expect(resolveSettings(settings, CWD)).toBe(resolveSettings(settings, CWD));
  });

  it.each([
    ['not an object', { lockstep: [] }, /settings\.lockstep must be an object/],
    ['a misspelt key', { lockstep: { lockType: [] } }, /unknown key settings\.lockstep\.lockType/],
    ['lockTypes not an array', { lockstep: { lockTypes: {} } }, /lockTypes must be an array/],
    ['a lock type without a name', { lockstep: { lockTypes: [{ acquire: ['lock'] }] } }, /lockTypes\[0\]\.name/],
    ['an unknown flavor', { lockstep: { lockTypes: [{ name: 'L', flavor: 'spin', acquire: ['lock'] }] } }, /flavor must be one of/],
    ['a method in two roles', { lockstep: { lockTypes: [{ name: 'L', acquire: ['lock'], release: ['lock'] }] } }, /already listed in acquire/],
    ['no method taking the lock', { lockstep: { lockTypes: [{ name: 'L', release: ['unlock'] }] } }, /no method that takes the lock/],
    ['an unknown lock type key', { lockstep: { lockTypes: [{ name: 'L', acquire: ['lock'], aquire: [] }] } }, /unknown key settings\.lockstep\.lockTypes\[0\]\.aquire/],
  ])('rejects %s', (_case, settings, message) => {
    expect(() => resolveSettings(settings, CWD)).toThrow(LockstepSettingsError);
    expect(() => resolveSettings(settings, CWD)).toThrow(message);
  });
});
