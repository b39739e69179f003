// Every route the API serves.
import type { ApiContext } from '../context.ts';
import type { Router } from '../http/router.ts';
import { systemRoutes } from './system.ts';
import { containerRoutes } from './containers.ts';
import { attachRoutes } from './attach.ts';
import { imageRoutes } from './images.ts';

export function registerRoutes(r: Router<ApiContext>): Router<ApiContext> {
  systemRoutes(r);
  containerRoutes(r);
  attachRoutes(r);
  imageRoutes(r);
  return r;
}
