// Settings of a container create request that Berth accepts but does not apply. Docker answers a
// create with Warnings the CLI prints as "WARNING: …" (e.g. a memory limit without swap
// accounting); Berth uses the same channel so an ignored flag is never silent. Pure.
import type { DockerContainerConfig, DockerHostConfig } from './docker-types.ts';

type Check = [flag: string, isSet: (hc: DockerHostConfig, cfg: DockerContainerConfig) => boolean];

const nonEmpty = (v: unknown): boolean => (Array.isArray(v) ? v.length > 0 : typeof v === 'string' ? v !== '' : !!v && typeof v === 'object' && Object.keys(v).length > 0);
const positive = (v: unknown): boolean => typeof v === 'number' && v > 0;

const CHECKS: Check[] = [
  ['--gpus', (hc) => nonEmpty(hc.DeviceRequests)],
  ['--kernel-memory', (hc) => positive(hc.KernelMemory)],
  ['--blkio-weight', (hc) => positive(hc.BlkioWeight)],
  ['--storage-opt', (hc) => nonEmpty(hc.StorageOpt)],
  ['--mac-address', (_hc, cfg) => nonEmpty(cfg.MacAddress)],
];

/** One warning per setting that was given but is not applied, in flag order. */
export function ignoredSettings(config: DockerContainerConfig, hostConfig: DockerHostConfig): string[] {
  const out = CHECKS.filter(([, isSet]) => isSet(hostConfig, config)).map(([flag]) => `${flag} is not supported by Berth yet and was ignored`);
  if (nonEmpty(hostConfig.Links)) out.push('--link: only the /etc/hosts entries are made, not the link environment variables');
  // Docker's own warnings, word for word
  if (hostConfig.OomKillDisable === true && !(typeof hostConfig.Memory === 'number' && hostConfig.Memory > 0)) {
    out.push('OOM killer is disabled for the container, but no memory limit is set, this can result in the system running out of resources.');
  }
  if (hostConfig.NetworkMode === 'host' && (nonEmpty(hostConfig.PortBindings) || hostConfig.PublishAllPorts)) out.push('Published ports are discarded when using host network mode');
  return out;
}
