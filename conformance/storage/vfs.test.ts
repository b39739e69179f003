// The vfs driver against the storage contract: rootfs as plain copies, no mounts.
import { VfsStorage } from '../../drivers/storage/vfs/index.ts';
import { storageSuite } from './suite.ts';

storageSuite('vfs', () => new VfsStorage()).run();
