// Runs the runtime conformance suite against LinuxRuntime (runc + conmon) with busybox root
// filesystems in temporary dirs: no storage driver needed.
import { runLinuxConformance } from './linux.ts';

runLinuxConformance();
