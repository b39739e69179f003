import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ignoredSettings } from './ignored-settings.ts';

test('nothing to say about a plain create (the CLI\'s zero values)', () => {
  assert.equal(ignoredSettings({ Image: 'b', MacAddress: '' }, {
    PidMode: '', IpcMode: '', Devices: [], GroupAdd: null, CpusetCpus: '', SecurityOpt: null, Init: null, OomKillDisable: false, OomScoreAdj: 0, Sysctls: null,
  }), []);
});

test('each given but unapplied setting is named once, in flag order', () => {
  assert.equal(ignoredSettings({ Image: 'b', MacAddress: '02:42:ac:11:00:02' }, {
    StorageOpt: { size: '1G' }, KernelMemory: 2 ** 24, BlkioWeight: 300,
  }), [
    '--kernel-memory is not supported by Berth yet and was ignored',
    '--blkio-weight is not supported by Berth yet and was ignored',
    '--storage-opt is not supported by Berth yet and was ignored',
    '--mac-address is not supported by Berth yet and was ignored',
  ]);
});

test('settings Berth applies are not warned about', () => {
  assert.equal(ignoredSettings({ Image: 'b' }, {
    PidMode: 'host', IpcMode: 'container:db', UTSMode: 'host', Devices: [{ PathOnHost: '/dev/null' }], DeviceCgroupRules: ['c 1:3 r'], GroupAdd: ['audio'],
    CpusetCpus: '0', CpusetMems: '0', CgroupParent: 'berth-parent', MemoryReservation: 2 ** 24, OomKillDisable: true, Memory: 2 ** 25, SecurityOpt: ['seccomp=unconfined', 'no-new-privileges=false'], Init: true, Sysctls: { 'net.ipv4.ip_forward': '1' }, OomScoreAdj: 500,
  }), []);
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

test('--oom-kill-disable without a memory limit: Docker\'s own warning', () => {
  const warning = 'OOM killer is disabled for the container, but no memory limit is set, this can result in the system running out of resources.';
  assert.equal(ignoredSettings({ Image: 'b' }, { OomKillDisable: true }), [warning]);
  assert.equal(ignoredSettings({ Image: 'b' }, { OomKillDisable: true, Memory: 2 ** 25 }), []);
});

test.run();
