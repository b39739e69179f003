// Run by kernel/crash.test.ts as a child process that is SIGKILLed mid-work: a daemon on
// test drivers in the root given as argv[2], creating containers 16 at a time without end
// (named with the prefix argv[3]),
// printing "ok <id>" for each create acknowledged (its event durable) and "ready" first.
import { testDaemon, userMeta, withImage } from './harness.ts';

const h = await testDaemon(process.argv[2]);
await withImage(h);
process.stdout.write('ready\n');
for (let round = 0; ; round++) {
  await Promise.all(Array.from({ length: 16 }, async (_, i) => {
    const { id } = await h.daemon.engine.createContainer({ name: `${process.argv[3]}-${round}-${i}`, config: { Image: 'busybox', Cmd: ['true'] }, hostConfig: { NetworkMode: 'none' } }, userMeta());
    process.stdout.write(`ok ${id}\n`);
  }));
}
