// The shared Docker plugin client (kernel/docker-plugin), worded as the volume driver's
// errors: "volume plugin <name>: <method>: …", and "error looking up volume driver <name>" (404)
// when the plugin never appears.
import { notFound } from '../../../kernel/contracts/common.ts';
import { PluginClient } from '../../../kernel/docker-plugin/client.ts';
import type { PluginEndpoint } from '../../../kernel/docker-plugin/discovery.ts';

export interface VolumePluginClientOptions {
  dirs: readonly string[];
  /** how long to keep retrying while the plugin is missing or refuses connections (Docker: 30 s) */
  timeoutMs: number;
  /** how long one call may take */
  callTimeoutMs: number;
  /** a known endpoint (skips discovery) */
  endpoint?: PluginEndpoint;
}

export function volumePluginClient(name: string, opts: VolumePluginClientOptions): PluginClient {
  return new PluginClient(name, 'VolumeDriver', {
    ...opts,
    initialDelayMs: 50,
    label: 'volume plugin',
    notFoundError: (dirs) => notFound(`error looking up volume driver ${name}: plugin ${JSON.stringify(name)} not found in ${dirs.join(', ')}`),
  });
}
