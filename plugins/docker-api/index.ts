// The docker-api plugin: the Docker Engine API (plus Berth's /berth/* extensions) on a unix socket.
import type { BerthPlugin } from '../../kernel/contracts/plugin.ts';
import { DockerApiServer } from './server.ts';

export { DockerApiServer } from './server.ts';

export const plugin: BerthPlugin = {
  manifest: {
    name: 'docker-api',
    version: '0.1.0',
    engineApi: '^1.0.0',
    contributes: [{ kind: 'api', name: 'docker' }],
    description: 'Docker Engine API 1.24-1.47 over a unix socket, with /berth/* extensions',
  },
  register(ctx) {
    ctx.provide('api', 'docker', new DockerApiServer(ctx.log));
  },
};
