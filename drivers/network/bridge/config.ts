// The bridge driver's config section (config.network.drivers.bridge), validated.
import { z } from 'zod';
import { badRequest } from '../../../kernel/contracts/common.ts';
import type { BridgeConfig } from './driver.ts';

const schema = z.object({
  firewall: z.enum(['iptables', 'nftables', 'auto']).optional(),
  mtu: z.number().int().min(68).max(65535).optional(),
  dnsUpstreams: z.array(z.string().regex(/^\d{1,3}(\.\d{1,3}){3}(:\d{1,5})?$/, 'an IPv4 address, optionally with :port')).optional(),
  resolvConfPath: z.string().min(1).optional(),
  defaultNetworkName: z.string().min(1).optional(),
  enableIpForward: z.boolean().optional(),
}).strict();

export function parseBridgeConfig(raw: unknown): BridgeConfig {
  const r = schema.safeParse(raw ?? {});
  if (!r.success) {
    const issues = r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw badRequest(`invalid network.drivers.bridge config: ${issues}`);
  }
  return r.data;
}
