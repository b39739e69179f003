// A stand-in for berthd in tests: starts one container with LinuxRuntime, prints its pid, then
// waits to be killed. Usage: node --import tsx daemon-child.ts '<json {paths, spec}>'
import { LinuxRuntime } from '../linux-runtime.ts';

const { paths, spec } = JSON.parse(process.argv[2]);
const rt = new LinuxRuntime({ ociRuntime: 'runc' });
await rt.init(paths);
await rt.create(spec);
const started = await rt.start(spec.id);
process.stdout.write(JSON.stringify({ pid: started.pid }) + '\n');
setInterval(() => undefined, 1 << 30);
