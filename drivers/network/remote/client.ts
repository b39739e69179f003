// The shared Docker plugin client (kernel/docker-plugin), worded as the network driver's
// errors: "network plugin <name>: <method>: …".
import { BerthError } from '../../../kernel/contracts/common.ts';
import { PluginClient } from '../../../kernel/docker-plugin/client.ts';

export interface NetworkPluginClientOptions {
  dirs: readonly string[];
  /** how long to keep retrying while the plugin is absent (Docker: 30 s) */
  timeoutMs: number;
  /** first retry delay; doubles up to 1 s */
  initialDelayMs?: number;
}

export function networkPluginClient(name: string, opts: NetworkPluginClientOptions): PluginClient {
  return new PluginClient(name, 'NetworkDriver', {
    ...opts,
    label: 'network plugin',
    // a network plugin that never appears is "unavailable" (503), where a volume plugin is "not found"
    notFoundError: (dirs) => new BerthError(
      `network plugin ${name}: Plugin.Activate: plugin ${name} not found in ${dirs.join(', ')} (gave up after retrying)`, 503, 'unavailable'),
  });
}
