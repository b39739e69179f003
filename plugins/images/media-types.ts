// Manifest, config and layer media types Berth reads and writes.
export const MT = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar',
  ociLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  ociLayerZstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
  ociLayerNondistGzip: 'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  dockerForeignLayerGzip: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
  dockerSchema1Signed: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
  dockerSchema1: 'application/vnd.docker.distribution.manifest.v1+json',
  wasmConfig: 'application/vnd.wasm.config.v0+json',
  wasmLayer: 'application/wasm',
} as const;

export const IMAGE_MANIFEST_TYPES: readonly string[] = [MT.ociManifest, MT.dockerManifest];
export const INDEX_TYPES: readonly string[] = [MT.ociIndex, MT.dockerManifestList];
/** What a pull asks the registry for, in order of preference. */
export const MANIFEST_ACCEPT = [MT.ociIndex, MT.dockerManifestList, MT.ociManifest, MT.dockerManifest].join(', ');

/** Layer types that are tar streams (maybe compressed) Berth can unpack. */
export const LAYER_TYPES: readonly string[] = [
  MT.ociLayer, MT.ociLayerGzip, MT.ociLayerZstd, MT.ociLayerNondistGzip,
  MT.dockerLayerGzip, MT.dockerForeignLayerGzip, 'application/vnd.docker.image.rootfs.diff.tar',
  MT.wasmLayer, 'application/vnd.bytecodealliance.wasm.component.layer.v0+wasm',
];

/** The OCI layer type for a compression. */
export function ociLayerType(compression: 'none' | 'gzip' | 'zstd'): string {
  return compression === 'gzip' ? MT.ociLayerGzip : compression === 'zstd' ? MT.ociLayerZstd : MT.ociLayer;
}
