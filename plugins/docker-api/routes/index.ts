// Every route the API serves.
import type { ApiContext } from '../context.ts';
import type { Router } from '../http/router.ts';
import { systemRoutes } from './system.ts';
import { containerRoutes } from './containers.ts';
import { attachRoutes } from './attach.ts';
import { imageRoutes } from './images.ts';
import { execRoutes } from './exec.ts';
import { statsRoutes } from './stats.ts';
import { archiveRoutes } from './archive.ts';
import { volumeRoutes } from './volumes.ts';
import { networkRoutes } from './networks.ts';
import { berthRoutes } from './berth.ts';
import { buildRoutes } from './build.ts';

export function registerRoutes(r: Router<ApiContext>): Router<ApiContext> {
  systemRoutes(r);
  containerRoutes(r);
  attachRoutes(r);
  execRoutes(r);
  statsRoutes(r);
  archiveRoutes(r);
  imageRoutes(r);
  volumeRoutes(r);
  networkRoutes(r);
  berthRoutes(r);
  buildRoutes(r);
  return r;
}
