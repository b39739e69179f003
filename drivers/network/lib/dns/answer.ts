// Pure DNS decisions of the embedded resolver: answer from the network's own records,
// refuse what can only be local, or say "forward".
import * as dnsPacket from 'dns-packet';

/** name (lowercase, no trailing dot) -> IPv4 addresses */
export type Records = ReadonlyMap<string, ReadonlySet<string>>;

export const TTL = 600; // Docker's embedded DNS uses 600 s
const NOERROR = 0, SERVFAIL = 2, NXDOMAIN = 3, NOTIMP = 4;

export const normalizeName = (name: string): string => name.replace(/\.$/, '').toLowerCase();

export type Decision = { reply: Buffer } | { forward: true };

function reply(query: dnsPacket.DecodedPacket, rcode: number, answers: dnsPacket.Answer[] = []): Buffer {
  const rd = (query.flags ?? 0) & dnsPacket.RECURSION_DESIRED;
  return dnsPacket.encode({
    type: 'response',
    id: query.id,
    flags: rd | dnsPacket.RECURSION_AVAILABLE | (answers.length ? dnsPacket.AUTHORITATIVE_ANSWER : 0) | rcode,
    questions: query.questions,
    answers,
  });
}

export function decide(message: Buffer, records: Records): Decision {
  let query: dnsPacket.DecodedPacket;
  try {
    query = dnsPacket.decode(message);
  } catch {
    return { reply: dnsPacket.encode({ type: 'response', id: message.length >= 2 ? message.readUInt16BE(0) : 0, flags: 1 }) }; // FORMERR
  }
  const q = query.questions?.[0];
  if (!q || query.questions!.length !== 1) return { reply: reply(query, NOTIMP) };
  const name = normalizeName(q.name);
  const ips = records.get(name);
  if (ips && ips.size) {
    if (q.type === 'A') return { reply: reply(query, NOERROR, [...ips].map((ip) => ({ type: 'A', name: q.name, ttl: TTL, data: ip }))) };
    return { reply: reply(query, NOERROR) }; // the name exists, with no record of that type
  }
  // a single label (a container name that is not on this network) never exists outside
  if (!name.includes('.')) return { reply: reply(query, NXDOMAIN) };
  return { forward: true };
}

export function servfail(message: Buffer): Buffer {
  try {
    return reply(dnsPacket.decode(message), SERVFAIL);
  } catch {
    return dnsPacket.encode({ type: 'response', id: 0, flags: SERVFAIL });
  }
}
