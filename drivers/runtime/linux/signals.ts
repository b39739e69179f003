// Signal names or numbers as Docker accepts them ("TERM", "SIGTERM", "15", 15, "SIGRTMIN+3").
import { constants } from 'node:os';
import { badRequest } from '../../../kernel/contracts/common.ts';

const SIGRTMIN = 34;
const SIGRTMAX = 64;

export function signalNumber(sig: string | number): number {
  if (typeof sig === 'number' || /^\d+$/.test(String(sig).trim())) {
    const n = Number(sig);
    if (Number.isInteger(n) && n >= 1 && n <= SIGRTMAX) return n;
    throw badRequest(`Invalid signal: ${sig}`);
  }
  const name = String(sig).trim().toUpperCase().replace(/^SIG/, '');
  const rt = /^RTMIN(?:\+(\d+))?$/.exec(name) ?? /^RTMAX(?:-(\d+))?$/.exec(name);
  if (rt) {
    const n = name.startsWith('RTMIN') ? SIGRTMIN + Number(rt[1] ?? 0) : SIGRTMAX - Number(rt[1] ?? 0);
    if (n >= SIGRTMIN && n <= SIGRTMAX) return n;
  }
  const n = (constants.signals as Record<string, number>)[`SIG${name}`];
  if (n === undefined) throw badRequest(`Invalid signal: ${sig}`);
  return n;
}
