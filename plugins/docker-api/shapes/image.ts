// Images in Docker's JSON shapes: list, inspect, history. Pure.
import type { ImageRecord, World } from '../../../kernel/world.ts';
import { familiarize } from '../../../kernel/reference.ts';
import { rfc3339, unixSeconds } from './time.ts';
import { isParentOf } from '../../../kernel/image-lineage.ts';

const familiar = (r: string): string => { try { return familiarize(r); } catch { return r; } };

/** when the image was made (its config's created), else when it arrived */
export function imageCreatedNano(img: ImageRecord): bigint {
  const c = img.descriptor.config.created;
  const ms = c ? Date.parse(c) : NaN;
  return Number.isFinite(ms) ? BigInt(ms) * 1_000_000n : img.createdNano;
}

export function containersUsing(w: World, id: string): number {
  let n = 0;
  for (const c of w.containers.values()) if (c.imageId === id) n++;
  return n;
}

export function listImage(img: ImageRecord, w: World): Record<string, unknown> {
  const d = img.descriptor;
  return {
    Containers: containersUsing(w, img.id),
    Created: unixSeconds(imageCreatedNano(img)),
    Id: img.id,
    Labels: d.config.config?.Labels ?? null,
    ParentId: '',
    RepoDigests: img.repoDigests.map(familiar),
    RepoTags: img.repoTags.map(familiar),
    SharedSize: -1,
    Size: d.size,
    VirtualSize: d.size,
  };
}

export function inspectImage(img: ImageRecord): Record<string, unknown> {
  const d = img.descriptor;
  const cfg = d.config;
  const hist = cfg.history ?? [];
  return {
    Id: img.id,
    RepoTags: img.repoTags.map(familiar),
    RepoDigests: img.repoDigests.map(familiar),
    Parent: '',
    Comment: hist.length ? (hist[hist.length - 1].comment ?? '') : '',
    Created: cfg.created ?? rfc3339(img.createdNano),
    DockerVersion: '',
    Author: cfg.author ?? '',
    Config: {
      Hostname: '', Domainname: '', User: '', AttachStdin: false, AttachStdout: false, AttachStderr: false, Tty: false, OpenStdin: false,
      StdinOnce: false, Env: null, Cmd: null, Image: '', Volumes: null, WorkingDir: '', Entrypoint: null, OnBuild: null, Labels: null,
      ...(cfg.config ?? {}),
    },
    Architecture: cfg.architecture,
    ...(cfg.variant ? { Variant: cfg.variant } : {}),
    Os: cfg.os,
    Size: d.size,
    VirtualSize: d.size,
    GraphDriver: { Name: 'overlay', Data: null },
    RootFS: { Type: 'layers', Layers: cfg.rootfs?.diff_ids ?? d.layers.map((l) => l.diffId) },
    Metadata: { LastTagTime: ZERO },
  };
}

const ZERO = '0001-01-01T00:00:00Z';

/** docker history: one row per history entry, newest first; rows of local ancestors carry their id and tags (as Docker shows a commit's or build's parent). */
export function imageHistory(img: ImageRecord, images: Iterable<ImageRecord> = []): Array<Record<string, unknown>> {
  const d = img.descriptor;
  const hist = d.config.history?.length ? d.config.history : d.layers.map(() => ({}) as { created?: string; created_by?: string; comment?: string; empty_layer?: boolean });
  let layer = 0;
  const rows = hist.map((h) => {
    const size = h.empty_layer ? 0 : (d.layers[layer++]?.size ?? 0);
    const ms = h.created ? Date.parse(h.created) : NaN;
    return { Id: '<missing>', Created: Number.isFinite(ms) ? Math.floor(ms / 1000) : 0, CreatedBy: h.created_by ?? '', Tags: null as string[] | null, Size: size, Comment: h.comment ?? '' };
  }).reverse();
  const all = [...images];
  let cur: ImageRecord | undefined = img;
  for (let i = 0; i < rows.length && cur; i++) {
    rows[i].Id = cur.id;
    rows[i].Tags = cur.repoTags.length ? cur.repoTags.map(familiar) : null;
    const child: ImageRecord = cur;
    cur = all.find((p) => isParentOf(p, child));
  }
  return rows;
}
