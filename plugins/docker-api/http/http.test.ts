import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { checkVersion, compareVersions, splitVersion } from './version.ts';
import { Demuxer, frame, StreamType } from './stdcopy.ts';
import { anyOf, boolFilter, matchLabels, parseFilters } from './filters.ts';
import { boolParam, intParam, parseTimestamp } from './query.ts';
import { toHttpError } from './errors.ts';
import { parseSs } from './peer.ts';
import { NotModified } from '../../../kernel/deciders/container.ts';
import { BerthError, notFound } from '../../../kernel/contracts/common.ts';
import { z } from 'zod';
import { validate, parseJson } from './body.ts';
import { ContainerCreateSchema } from '../schemas.ts';

test('version prefix and range', () => {
  assert.equal(splitVersion('/v1.41/containers/json'), { version: '1.41', path: '/containers/json', explicit: true });
  assert.equal(splitVersion('/_ping'), { version: '1.47', path: '/_ping', explicit: false });
  assert.is(compareVersions('1.9', '1.10'), -1);
  assert.is(compareVersions('1.47', '1.47'), 0);
  assert.throws(() => checkVersion('1.99'), /client version 1\.99 is too new\. Maximum supported API version is 1\.47/);
  assert.throws(() => checkVersion('1.12'), /too old\. Minimum supported API version is 1\.24/);
  checkVersion('1.24'); checkVersion('1.41');
});

test('stdcopy frames and demux across chunk boundaries', () => {
  const f = frame(StreamType.Stdout, Buffer.from('hi\n'));
  assert.equal([...f.subarray(0, 8)], [1, 0, 0, 0, 0, 0, 0, 3]);
  const both = Buffer.concat([f, frame(StreamType.Stderr, Buffer.from('to-stderr\n'))]);
  const d = new Demuxer();
  const out = [...d.push(both.subarray(0, 5)), ...d.push(both.subarray(5, 14)), ...d.push(both.subarray(14))];
  assert.equal(out.map((x) => [x.stream, x.payload.toString()]), [[1, 'hi\n'], [2, 'to-stderr\n']]);
  assert.is(d.pending, 0);
});

test('filters: both JSON forms, unknown keys refused, labels', () => {
  const f = parseFilters('{"label":{"a=b":true},"name":["web"]}', ['label', 'name']);
  assert.equal(f.get('label'), ['a=b']);
  assert.equal(f.get('name'), ['web']);
  assert.throws(() => parseFilters('{"nope":{"x":true}}', ['label']), /invalid filter 'nope'/);
  assert.throws(() => parseFilters('{bad', ['label']), /not valid JSON/);
  assert.ok(matchLabels({ a: 'b', c: '' }, ['a=b', 'c']));
  assert.not.ok(matchLabels({ a: 'x' }, ['a=b']));
  assert.ok(matchLabels({ a: 'x' }, ['a!=b']));
  assert.ok(anyOf(new Map(), 'k', () => false));
  assert.is(boolFilter(parseFilters('{"dangling":{"true":true}}', ['dangling']), 'dangling'), true);
});

test('query parameters', () => {
  const q = new URLSearchParams('a=1&b=false&c=True&t=10&bad=x');
  assert.is(boolParam(q, 'a'), true);
  assert.is(boolParam(q, 'b'), false);
  assert.is(boolParam(q, 'c'), true);
  assert.is(boolParam(q, 'missing', true), true);
  assert.is(intParam(q, 't'), 10);
  assert.throws(() => intParam(q, 'bad'), /not an integer/);
  assert.is(parseTimestamp('1700000000'), 1_700_000_000_000_000_000n);
  assert.is(parseTimestamp('1700000000.5'), 1_700_000_000_500_000_000n);
  assert.is(parseTimestamp('2026-11-30T05:49:00.140736266Z'), parseTimestamp('2026-11-30T06:49:00.140736266+01:00'));
  assert.throws(() => parseTimestamp('yesterday'), /neither unix seconds nor an RFC 3339/);
});

test('errors map to HTTP statuses; NotModified is a 304', () => {
  assert.equal(toHttpError(notFound('No such container: x')), { status: 404, message: 'No such container: x', notModified: false });
  assert.is(toHttpError(new NotModified('already running')).status, 304);
  assert.is(toHttpError(new BerthError('c', 409)).status, 409);
  assert.is(toHttpError(new Error('boom')).status, 500);
  assert.is(toHttpError('weird').message, 'weird');
});

test('bodies: invalid JSON and wrong types name the field', () => {
  assert.throws(() => parseJson(Buffer.from('{"Image":')), /invalid JSON body/);
  assert.is(parseJson(Buffer.from('  ')), undefined);
  assert.throws(() => validate(ContainerCreateSchema, { Image: 'x', HostConfig: { Memory: 'lots' } }), /HostConfig\.Memory/);
  assert.throws(() => validate(ContainerCreateSchema, [1]), /the body must be a JSON object/);
  const ok = validate(ContainerCreateSchema, { Image: 'busybox', Cmd: 'echo hi', Extra: 1 });
  assert.equal(ok.Cmd, ['echo hi']);
  assert.is((ok as Record<string, unknown>).Extra, 1);
  assert.is(validate(z.number(), 3), 3);
});

test('ss output parsing finds peers and pids', () => {
  const out = [
    'Netid State Recv-Q Send-Q Local Address:Port   Peer Address:Port  Process',
    'u_str ESTAB 0      0      /tmp/berth.sock 101351            * 101352 users:(("node",pid=2175,fd=28))',
    'u_str ESTAB 0      0                  * 101352            * 101351 users:(("docker",pid=2193,fd=1))',
  ].join('\n');
  const t = parseSs(out);
  assert.equal(t.get('101351'), { peer: '101352', pid: 2175 });
  assert.equal(t.get('101352'), { peer: '101351', pid: 2193 });
});

test.run();
