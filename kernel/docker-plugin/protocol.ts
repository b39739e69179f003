// Docker's v1 plugin protocol (docker/cli docs/extend/plugin_api.md): JSON over HTTP POST to
// /<Interface>.<Method>, after a /Plugin.Activate handshake that lists the interfaces the
// plugin implements. Every answer may carry Err ("" or absent = success). The driver
// interfaces' own methods and answers live with their drivers.

export const PLUGIN_MEDIA_TYPE = 'application/vnd.docker.plugins.v1+json';

/** where Docker looks for <name>.sock / .spec / .json */
export const DEFAULT_PLUGIN_DIRS = ['/run/docker/plugins', '/etc/docker/plugins', '/usr/lib/docker/plugins'];

/** how long Docker keeps retrying a plugin that is absent or refuses connections */
export const DEFAULT_TIMEOUT_MS = 30_000;

export interface PluginAnswer { Err?: string }
export interface ActivateAnswer extends PluginAnswer { Implements?: string[] }
