import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createBody, parseSize } from './run-options.ts';
import { renderTemplate, table, output } from './format.ts';
import { resolveSocket } from './client.ts';
import { runExitCode } from './exit.ts';

test('run flags become Docker\'s create body', () => {
  const { name, body } = createBody('busybox', ['echo', 'hi'], {
    name: 'web', env: ['A=1'], volume: ['v1:/data'], publish: ['127.0.0.1:8080:80', '53/udp'], restart: 'on-failure:3', memory: '64m', cpus: '1.5',
    pidsLimit: '20', readOnly: true, tmpfs: ['/run:size=1m'], label: ['k=v', 'flag'], capAdd: ['NET_ADMIN'], rm: true, interactive: true, entrypoint: 'sh', network: 'n1',
  });
  assert.is(name, 'web');
  assert.equal(body.Cmd, ['echo', 'hi']);
  assert.equal(body.Entrypoint, ['sh']);
  assert.equal(body.Env, ['A=1']);
  assert.equal(body.Labels, { k: 'v', flag: '' });
  assert.equal(body.ExposedPorts, { '80/tcp': {}, '53/udp': {} });
  assert.equal(body.HostConfig.PortBindings, { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '8080' }], '53/udp': [{ HostIp: '', HostPort: '' }] });
  assert.equal(body.HostConfig.RestartPolicy, { Name: 'on-failure', MaximumRetryCount: 3 });
  assert.is(body.HostConfig.Memory, 64 * 1024 * 1024);
  assert.is(body.HostConfig.NanoCpus, 1_500_000_000);
  assert.is(body.HostConfig.PidsLimit, 20);
  assert.equal(body.HostConfig.Tmpfs, { '/run': 'size=1m' });
  assert.equal(body.HostConfig.Binds, ['v1:/data']);
  assert.is(body.HostConfig.AutoRemove, true);
  assert.is(body.HostConfig.NetworkMode, 'n1');
  assert.equal(body.NetworkingConfig, { EndpointsConfig: { n1: {} } });
  assert.ok(body.OpenStdin && body.StdinOnce && body.AttachStdin);
  assert.throws(() => createBody('x', [], { publish: ['a:b'] }), /invalid port spec/);
  assert.is(parseSize('1g'), 1024 ** 3);
  assert.throws(() => parseSize('lots'), /invalid size/);
});

test('format: tables, templates, json', () => {
  assert.is(table(['A', 'LONGER'], [['x', 'y']]), 'A   LONGER\nx   y\n');
  assert.is(renderTemplate('{{.Name}} {{.State.Status}} {{json .L}}', { Name: 'n', State: { Status: 'up' }, L: ['a'] }), 'n up ["a"]');
  assert.is(output([{ a: 1 }], 'json', () => ''), '{"a":1}\n');
});

test('host resolution and exit codes', () => {
  assert.is(resolveSocket(undefined, { BERTH_HOST: 'unix:///x.sock' }), '/x.sock');
  assert.is(resolveSocket('unix:///flag.sock', { DOCKER_HOST: 'unix:///d.sock' }), '/flag.sock');
  assert.is(resolveSocket(undefined, { DOCKER_HOST: 'unix:///d.sock' }), '/d.sock');
  assert.is(resolveSocket(undefined, {}), '/run/berth/berth.sock');
  assert.throws(() => resolveSocket('tcp://1.2.3.4:2375', {}), /only unix/);
  assert.is(runExitCode('exec: "/nope": stat /nope: no such file or directory'), 127);
  assert.is(runExitCode('permission denied'), 126);
  assert.is(runExitCode('No such image: x'), 125);
});

test.run();
