// Berth's log events as Docker's /events messages. Mostly one to one; a little state (names,
// images, labels of containers; a stop in progress) comes from earlier events in the same pass,
// falling back to the engine's world for objects created before the pass started.
import type { StoredEvent } from '../../../events/types.ts';
import type { World } from '../../../kernel/world.ts';
import { familiarize } from '../../../kernel/reference.ts';

export interface DockerEvent {
  status?: string;
  id?: string;
  from?: string;
  Type: string;
  Action: string;
  Actor: { ID: string; Attributes: Record<string, string> };
  scope: 'local';
  time: number;
  timeNano: number;
}

interface ContainerFacts { name: string; image: string; labels: Record<string, string>; mounts?: MountFact[]; stopping?: boolean; killSignal?: string; startedNano?: bigint }
interface MountFact { type: string; source: string; target: string; readOnly: boolean }

const familiar = (ref: string): string => { try { return familiarize(ref); } catch { return ref; } };
const nanoOf = (v: unknown): bigint | undefined => { try { return v === undefined || v === null ? undefined : BigInt(v as string); } catch { return undefined; } };

export class EventMapper {
  private readonly containers = new Map<string, ContainerFacts>();
  private readonly networks = new Map<string, { name: string; type: string }>();
  private readonly images = new Map<string, string[]>();
  private readonly volumeDrivers = new Map<string, string>();

  constructor(private readonly world?: World) {}

  private container(id: string): ContainerFacts {
    let f = this.containers.get(id);
    if (!f) {
      const c = this.world?.containers.get(id);
      f = { name: c?.name ?? id.slice(0, 12), image: c?.image ?? '', labels: { ...(c?.config.Labels ?? {}) }, mounts: c?.mounts, startedNano: c?.startedNano };
      this.containers.set(id, f);
    }
    return f;
  }

  private network(id: string): { name: string; type: string } {
    const n = this.networks.get(id) ?? (() => { const r = this.world?.networks.get(id); return { name: r?.name ?? id.slice(0, 12), type: r?.driver ?? '' }; })();
    this.networks.set(id, n);
    return n;
  }

  map(e: StoredEvent<any>): DockerEvent[] {
    const colon = e.stream.indexOf(':');
    const kind = colon < 0 ? e.stream : e.stream.slice(0, colon);
    const id = colon < 0 ? '' : e.stream.slice(colon + 1);
    const time = Number(e.timeNano / 1_000_000_000n);
    const timeNano = Number(e.timeNano);
    const base = { scope: 'local' as const, time, timeNano };
    const d = e.data ?? {};
    switch (kind) {
      case 'container': return this.mapContainer(e.type, id, d, base);
      case 'image': return this.mapImage(e.type, id, d, base);
      case 'volume': {
        const action = { 'volume.created': 'create', 'volume.mounted': 'mount', 'volume.unmounted': 'unmount', 'volume.removed': 'destroy' }[e.type];
        if (!action) return [];
        // as Docker, every volume event names the driver (only the create event carries it)
        if (e.type === 'volume.created') this.volumeDrivers.set(id, d.driver || 'local');
        const driver = this.volumeDrivers.get(id) ?? this.world?.volumes.get(id)?.driver ?? 'local';
        const attrs: Record<string, string> = { driver };
        if (d.containerId) attrs.container = d.containerId;
        if (e.type === 'volume.mounted' && d.containerId) {
          const m = this.container(d.containerId).mounts?.find((x) => x.type === 'volume' && x.source === id);
          if (m) { attrs.destination = m.target; attrs['read/write'] = String(!m.readOnly); attrs.propagation = ''; }
        }
        return [{ Type: 'volume', Action: action, Actor: { ID: id, Attributes: attrs }, ...base }];
      }
      case 'network': {
        if (e.type === 'network.created') this.networks.set(id, { name: d.name, type: d.driver });
        const n = this.network(id);
        const action = { 'network.created': 'create', 'network.connected': 'connect', 'network.disconnected': 'disconnect', 'network.removed': 'destroy' }[e.type];
        if (!action) return [];
        const attrs: Record<string, string> = { name: n.name, type: n.type };
        if (d.containerId) attrs.container = d.containerId;
        return [{ Type: 'network', Action: action, Actor: { ID: id, Attributes: attrs }, ...base }];
      }
      default: return [];
    }
  }

  private mapContainer(type: string, id: string, d: any, base: { scope: 'local'; time: number; timeNano: number }): DockerEvent[] {
    if (type === 'container.created') this.containers.set(id, { name: d.name, image: d.image, labels: { ...(d.config?.Labels ?? {}) }, mounts: d.mounts });
    const f = this.container(id);
    const ev = (action: string, extra: Record<string, string> = {}): DockerEvent => ({
      status: action, id, from: f.image, Type: 'container', Action: action,
      Actor: { ID: id, Attributes: { ...f.labels, image: f.image, name: f.name, ...extra } }, ...base,
    });
    switch (type) {
      case 'container.created': return [ev('create')];
      case 'container.started': f.startedNano = nanoOf(d.startedAtNano) ?? BigInt(base.timeNano); return [ev('start')];
      case 'container.stop-requested': f.stopping = true; return [ev('kill', { signal: signalNumber(d.signal) })];
      case 'container.kill-requested': return [ev('kill', { signal: signalNumber(d.signal) })];
      case 'container.exited': {
        // Docker's die says how long the process ran, in whole seconds
        const exitedNano = nanoOf(d.exitedAtNano) ?? BigInt(base.timeNano);
        const ran = f.startedNano !== undefined && exitedNano >= f.startedNano ? String((exitedNano - f.startedNano) / 1_000_000_000n) : '0';
        const out = [ev('die', { exitCode: String(d.exitCode ?? 0), execDuration: ran })];
        if (d.oomKilled) out.unshift(ev('oom'));
        if (f.stopping) { f.stopping = false; out.push(ev('stop')); }
        return out;
      }
      case 'container.paused': return [ev('pause')];
      case 'container.unpaused': return [ev('unpause')];
      case 'container.renamed': { const old = f.name; f.name = d.to; return [ev('rename', { oldName: `/${old}` })]; }
      case 'container.updated': return [ev('update')];
      case 'container.restarting': return [ev('restart')];
      case 'container.removed': return [ev('destroy')];
      case 'container.exec-created': return [ev(`exec_create: ${(d.exec?.args ?? []).join(' ')}`, { execID: d.exec?.id ?? '' })];
      case 'container.exec-started': return [ev(`exec_start: ${d.execId ?? ''}`, { execID: d.execId ?? '' })];
      case 'container.exec-exited': return [ev('exec_die', { execID: d.execId ?? '', exitCode: String(d.exitCode ?? 0) })];
      case 'container.committed': return [ev('commit')];
      // Docker says so when the status changes, not on every probe
      case 'container.health-probed': return d.status !== d.previousStatus ? [ev(`health_status: ${d.status}`)] : [];
      default: return [];
    }
  }

  private mapImage(type: string, id: string, d: any, base: { scope: 'local'; time: number; timeNano: number }): DockerEvent[] {
    const ev = (action: string, ref: string): DockerEvent => ({
      status: action, id: ref || id, Type: 'image', Action: action, Actor: { ID: ref || id, Attributes: { name: ref || id } }, ...base,
    });
    const tags = this.images.get(id) ?? [...(this.world?.images.get(id)?.repoTags ?? [])];
    this.images.set(id, tags);
    switch (type) {
      case 'image.pulled': return [ev('pull', familiar(d.ref ?? d.descriptor?.repoTags?.[0] ?? id))];
      case 'image.imported': return [ev('import', id)];
      case 'image.loaded': return [ev('load', id)];
      case 'image.committed': return [];
      case 'image.built': return [];
      case 'image.tagged': if (!tags.includes(d.ref)) tags.push(d.ref); return [ev('tag', familiar(d.ref))];
      case 'image.untagged': this.images.set(id, tags.filter((t) => t !== d.ref)); return [ev('untag', id)];
      case 'image.deleted': return [ev('delete', id)];
      case 'image.pushed': return [ev('push', familiar(d.ref ?? id))];
      default: return [];
    }
  }
}

const SIGNALS: Record<string, number> = { HUP: 1, INT: 2, QUIT: 3, KILL: 9, USR1: 10, USR2: 12, TERM: 15, CONT: 18, STOP: 19 };

export function signalNumber(s: unknown): string {
  if (typeof s === 'number') return String(s);
  if (typeof s !== 'string' || !s) return '15';
  if (/^\d+$/.test(s)) return s;
  const n = SIGNALS[s.toUpperCase().replace(/^SIG/, '')];
  return n ? String(n) : s;
}

export interface EventFilterSpec { type?: string[]; event?: string[]; container?: string[]; image?: string[]; label?: string[]; network?: string[]; volume?: string[] }

/** Docker's /events filters over a mapped event. */
export function eventMatches(e: DockerEvent, f: Map<string, string[]>): boolean {
  const has = (k: string) => (f.get(k)?.length ?? 0) > 0;
  const any = (k: string, t: (v: string) => boolean) => !has(k) || f.get(k)!.some(t);
  const a = e.Actor.Attributes;
  const action = e.Action.split(':')[0];
  const idOrName = (v: string) => e.Actor.ID === v || e.Actor.ID.startsWith(v) || a.name === v;
  return any('type', (t) => t === e.Type) &&
    any('event', (v) => v === action || v === e.Action) &&
    any('container', (v) => e.Type === 'container' ? idOrName(v) : a.container === v) &&
    any('image', (v) => (e.Type === 'image' ? idOrName(v) || familiar(a.name ?? '') === familiar(v) : (a.image === v || familiar(a.image ?? '') === familiar(v)))) &&
    any('network', (v) => e.Type === 'network' && idOrName(v)) &&
    any('volume', (v) => e.Type === 'volume' && idOrName(v)) &&
    any('label', (l) => { const i = l.indexOf('='); return i < 0 ? l in a : a[l.slice(0, i)] === l.slice(i + 1); });
}
