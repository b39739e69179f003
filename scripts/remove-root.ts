// tsx scripts/remove-root.ts <root>: removes everything a stopped berthd's root made on the
// host (containers, their mounts and cgroups, networks with their bridges and rules), then
// the root itself. The daemon must not be running.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { destroy, realDaemon } from '../conformance/engine/harness.ts';
import { parseConfig } from '../kernel/config.ts';

const root = process.argv[2];
if (!root || !existsSync(join(root, 'events'))) {
  process.stderr.write('usage: tsx scripts/remove-root.ts <berth root>\n');
  process.exit(2);
}
const configFile = join(root, 'config.json');
const config = parseConfig(existsSync(configFile) ? JSON.parse(readFileSync(configFile, 'utf8')) : {});
const { daemon } = await realDaemon(root, config);
await destroy(daemon, root);
