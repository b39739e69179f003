// Docker's VolumeDriver plugin protocol (docker/cli docs/extend/plugins_volume.md): method names
// and answer shapes. Every answer may carry Err; the transport (discovery, activation, media
// type) is kernel/docker-plugin's.
import type { PluginAnswer } from '../../../kernel/docker-plugin/protocol.ts';

export type VolumeMethod =
  | 'VolumeDriver.Create' | 'VolumeDriver.Remove' | 'VolumeDriver.Mount' | 'VolumeDriver.Unmount'
  | 'VolumeDriver.Path' | 'VolumeDriver.Get' | 'VolumeDriver.List' | 'VolumeDriver.Capabilities';

export interface MountpointAnswer extends PluginAnswer { Mountpoint?: string }
export interface WireVolume { Name: string; Mountpoint?: string; Status?: Record<string, unknown>; CreatedAt?: string }
export interface GetAnswer extends PluginAnswer { Volume?: WireVolume }
export interface ListAnswer extends PluginAnswer { Volumes?: WireVolume[] | null }
export interface CapabilitiesAnswer extends PluginAnswer { Capabilities?: { Scope?: string } }
