// Docker's plugin protocol (docker/cli docs/extend/plugin_api.md, plugins_volume.md): JSON over
// HTTP POST; every answer may carry Err ("" or absent = success).

export const PLUGIN_MEDIA_TYPE = 'application/vnd.docker.plugins.v1+json';

export const DEFAULT_PLUGIN_DIRS = ['/run/docker/plugins', '/etc/docker/plugins', '/usr/lib/docker/plugins'];
export const DEFAULT_TIMEOUT_MS = 30_000;

export type VolumeMethod =
  | 'VolumeDriver.Create' | 'VolumeDriver.Remove' | 'VolumeDriver.Mount' | 'VolumeDriver.Unmount'
  | 'VolumeDriver.Path' | 'VolumeDriver.Get' | 'VolumeDriver.List' | 'VolumeDriver.Capabilities';

export interface PluginAnswer { Err?: string }
export interface ActivateAnswer extends PluginAnswer { Implements?: string[] }
export interface MountpointAnswer extends PluginAnswer { Mountpoint?: string }
export interface WireVolume { Name: string; Mountpoint?: string; Status?: Record<string, unknown>; CreatedAt?: string }
export interface GetAnswer extends PluginAnswer { Volume?: WireVolume }
export interface ListAnswer extends PluginAnswer { Volumes?: WireVolume[] | null }
export interface CapabilitiesAnswer extends PluginAnswer { Capabilities?: { Scope?: string } }
