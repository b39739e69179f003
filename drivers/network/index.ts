// The network drivers' entry: their plugins, and the pure helpers the kernel calls
// (subnet and address leases, /etc/hosts and /etc/resolv.conf of a container).
import * as ipam from '../../kernel/ipam.ts';
import { hostsFile, parseResolvConf, resolvConf } from '../../kernel/network/etc-files.ts';
import { plugin as bridge } from './bridge/index.ts';
import { plugin as host } from './host/index.ts';
import { plugin as none } from './none/index.ts';
import { plugin as remote } from './remote/index.ts';

/** network-bridge, network-host, network-none, network-remote */
export const networkPlugins = [bridge, host, none, remote];

/** Pure functions, no I/O: the kernel's network decider records their results as events. */
export function exportsForKernel() {
  return { hostsFile, resolvConf, parseResolvConf, ipam };
}
