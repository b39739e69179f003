// Picks the firewall backend: the configured one, or by probing (iptables first, as
// Docker does, then nftables).
import { BerthError } from '../../../../kernel/contracts/common.ts';
import { succeeds } from '../exec.ts';
import type { Firewall } from './rule.ts';
import { IptablesFirewall } from './iptables.ts';
import { NftablesFirewall } from './nftables.ts';

export type FirewallChoice = 'iptables' | 'nftables' | 'auto';

export async function detectFirewall(choice: FirewallChoice): Promise<'iptables' | 'nftables'> {
  const hasIptables = () => succeeds('iptables', ['-w', '-t', 'nat', '-S', 'POSTROUTING']);
  const hasNft = () => succeeds('nft', ['list', 'tables']);
  if (choice === 'iptables') {
    if (!(await hasIptables())) throw new BerthError('firewall "iptables" configured but iptables does not work here: apt-get install iptables', 503, 'unavailable');
    return 'iptables';
  }
  if (choice === 'nftables') {
    if (!(await hasNft())) throw new BerthError('firewall "nftables" configured but nft does not work here: apt-get install nftables', 503, 'unavailable');
    return 'nftables';
  }
  if (await hasIptables()) return 'iptables';
  if (await hasNft()) return 'nftables';
  throw new BerthError('neither iptables nor nft works on this host: apt-get install iptables (or nftables)', 503, 'unavailable');
}

export function makeFirewall(kind: 'iptables' | 'nftables', suffix: string): Firewall {
  return kind === 'iptables' ? new IptablesFirewall(suffix) : new NftablesFirewall(suffix);
}
