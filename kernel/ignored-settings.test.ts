import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ignoredSettings } from './ignored-settings.ts';

test('nothing to say about a plain create (the CLI\'s zero values)', () => {
  assert.equal(ignoredSettings({ Image: 'b', MacAddress: '' }, {
    PidMode: '', IpcMode: '', Devices: [], GroupAdd: null, CpusetCpus: '', SecurityOpt: null, Init: null, OomKillDisable: false, OomScoreAdj: 0, Sysctls: null,
  }), []);
});

test('each given but unapplied setting is named once, in flag order', () => {
  assert.equal(ignoredSettings({ Image: 'b', Healthcheck: { Test: ['CMD-SHELL', 'true'] } }, {
    PidMode: 'host', Devices: [{ PathOnHost: '/dev/null' }], Init: true, SecurityOpt: ['seccomp=unconfined'],
  }), [
    '--pid is not supported by Berth yet and was ignored',
    '--device is not supported by Berth yet and was ignored',
    '--security-opt is not supported by Berth yet and was ignored',
    '--init is not supported by Berth yet and was ignored',
  ]);
});

test('settings Berth applies anyway or that are no-ops here stay quiet (health checks run)', () => {
  assert.equal(ignoredSettings({ Image: 'b', Healthcheck: { Test: ['CMD', 'true'] } }, {}), []);
  assert.equal(ignoredSettings({ Image: 'b', Healthcheck: { Test: ['NONE'] } }, { IpcMode: 'private', SecurityOpt: ['no-new-privileges', 'label=disable', 'apparmor=unconfined'] }), []);
});

test('--link: only its hosts entries are made, which the warning says', () => {
  assert.equal(ignoredSettings({ Image: 'b' }, { Links: ['db:data'] }), ['--link: only the /etc/hosts entries are made, not the link environment variables']);
});

test('host networking with published ports: Docker\'s own warning', () => {
  assert.equal(ignoredSettings({ Image: 'b' }, { NetworkMode: 'host', PortBindings: { '80/tcp': [{ HostPort: '8080' }] } }), ['Published ports are discarded when using host network mode']);
  assert.equal(ignoredSettings({ Image: 'b' }, { NetworkMode: 'host', PortBindings: {} }), []);
});

test.run();
