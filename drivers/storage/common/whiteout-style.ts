// How a driver keeps whiteouts and opaque directories in its unpacked layers.
// Every layer also records them in its metadata; the style decides what lands on disk.
import { mknod } from './special-files.ts';
import { setXattrs } from './xattr.ts';

export interface WhiteoutStyle {
  readonly name: string;
  /** puts a whiteout for `absPath` on disk (nothing for styles that only record it) */
  writeWhiteout(absPath: string): Promise<void>;
  /** marks directories opaque on disk; returns messages for marks that failed */
  markOpaque(absDirs: string[]): Promise<string[]>;
}

export const OVERLAY_OPAQUE_XATTR = 'trusted.overlay.opaque';

/** overlayfs's own format: a 0/0 character device per whiteout, trusted.overlay.opaque=y per opaque dir. */
export const overlayWhiteouts: WhiteoutStyle = {
  name: 'overlay',
  writeWhiteout: (absPath) => mknod(absPath, 'char', 0, 0, 0),
  markOpaque: (absDirs) => setXattrs(absDirs.map((path) => ({ path, name: OVERLAY_OPAQUE_XATTR, value: Buffer.from('y') }))),
};

/** Whiteouts live only in the layer record (vfs applies them while copying). */
export const recordedWhiteouts: WhiteoutStyle = {
  name: 'recorded',
  writeWhiteout: async () => {},
  markOpaque: async () => [],
};
