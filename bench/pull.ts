// Pull benchmark: a 3-layer ~150 MB image (incompressible random layers, gzipped) from a local
// docker-registry, Berth's pull (download + verify, into a fresh store) against
// `skopeo copy docker://… oci:…` of the same image in the same run. Median of 3 each,
// alternating. Unpacking is the storage driver's and is measured elsewhere. One untimed
// warm-up pull first: a daemon keeps its download workers, so the timed pulls find them started.
// Usage: npm run bench -- pull [totalMB=150] [runs=3]
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { ImageStore } from '../plugins/images/image-store.ts';
import { tarOf } from '../plugins/images/testing/images.ts';
import { startRegistry } from '../plugins/images/testing/registry.ts';
import { median, note, report } from './format.ts';

const run = promisify(execFile);

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

export default async function main(args: string[]): Promise<void> {
  const totalMB = Number(args[0] ?? 150);
  const runs = Number(args[1] ?? 3);
  const root = await mkdtemp(join(tmpdir(), 'berth-bench-pull-'));
  const reg = await startRegistry();
  try {
    // the image: 3 layers of random bytes (gzip cannot shrink them)
    const source = new ImageStore();
    await source.init({ root, state: join(root, 'source'), run: join(root, 'run') });
    let image = await source.commit(undefined, undefined, { Cmd: ['sh'] }, { comment: 'bench base' });
    const perLayer = Math.round((totalMB * 1024 * 1024) / 3);
    for (let i = 0; i < 3; i++) {
      const layer = gzipSync(await tarOf({ [`data/random-${i}.bin`]: randomBytes(perLayer) }), { level: 1 });
      image = await source.commit(image, Readable.from([layer]), image.config.config, { createdBy: `bench layer ${i}` });
    }
    const ref = `${reg.host}/berth-bench/pull:1`;
    await source.push(ref, image, {});
    const bytes = image.layers.reduce((n, l) => n + l.size, 0);
    note(`pull bench: ${image.layers.length} layers, ${(bytes / 1e6).toFixed(1)} MB compressed, registry ${reg.host}`);

    const warm = new ImageStore();
    await warm.init({ root, state: join(root, 'warm-up'), run: join(root, 'run') });
    await warm.pull(ref, {});
    await rm(join(root, 'warm-up'), { recursive: true, force: true });

    const berth: number[] = [];
    const skopeo: number[] = [];
    const pullBerth = async (i: number) => {
      const store = new ImageStore();
      await store.init({ root, state: join(root, `berth-${i}`), run: join(root, 'run') });
      berth.push(await timed(() => store.pull(ref, {})));
      await rm(join(root, `berth-${i}`), { recursive: true, force: true });
    };
    const copySkopeo = async (i: number) => {
      const dest = join(root, `skopeo-${i}`);
      skopeo.push(await timed(() => run('skopeo', ['copy', '-q', '--src-tls-verify=false', `docker://${ref}`, `oci:${dest}:bench`])));
      await rm(dest, { recursive: true, force: true });
    };
    for (let i = 0; i < runs; i++) {
      // alternate who goes first, so neither always meets a warmer cache or a quieter machine
      if (i % 2 === 0) { await pullBerth(i); await copySkopeo(i); } else { await copySkopeo(i); await pullBerth(i); }
      note(`  run ${i + 1}: berth ${berth[i].toFixed(0)} ms, skopeo ${skopeo[i].toFixed(0)} ms`);
    }
    report({ bench: 'pull', metric: `pull-${totalMB}mb`, value: median(berth), unit: 'ms', peer: 'skopeo copy docker:// oci:', peerValue: median(skopeo) });
  } finally {
    await reg.stop();
    await rm(root, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main(process.argv.slice(2));
